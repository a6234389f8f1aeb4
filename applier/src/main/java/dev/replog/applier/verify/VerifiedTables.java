package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tables {@code replog verify} compares for a {@code capture.tables} list: every listed table,
 * and for every pattern entry ({@code public.*}, {@code sales.order_*}) the tables it matches on the
 * leader and on the follower, so that a table the follower lacks and one it has in excess are both
 * reported. A pattern matches like capture's table filter: {@code *} is any characters, everything
 * else itself, case-sensitive, over {@code schema.table}. PostgreSQL's own schemas and Replog's
 * {@code replog} schema (capture's heartbeat on the leader, the applier's state on a follower) are
 * never compared.
 */
public final class VerifiedTables {

    private static final String TABLES = """
            SELECT n.nspname, cl.relname FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
            WHERE cl.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'replog')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'""";

    private VerifiedTables() {
    }

    /** A {@code capture.tables} entry with {@code *} in it. */
    public static boolean isPattern(TableId entry) {
        return entry.schema().contains("*") || entry.table().contains("*");
    }

    /** The tables to compare, in the order of the entries; a pattern's matches sorted by name, no table twice. */
    public static List<TableId> expand(Connection leader, Connection follower, List<TableId> entries) throws SQLException {
        List<TableId> patterns = entries.stream().filter(VerifiedTables::isPattern).toList();
        List<TableId> candidates = new ArrayList<>();
        if (!patterns.isEmpty()) {
            Set<TableId> both = new TreeSet<>(tables(leader));
            both.addAll(tables(follower));
            candidates.addAll(both);
        }
        Set<TableId> out = new java.util.LinkedHashSet<>();
        for (TableId entry : entries) {
            if (!isPattern(entry)) {
                out.add(entry);
                continue;
            }
            Pattern p = regex(entry);
            candidates.stream().filter(t -> p.matcher(t.schema() + "." + t.table()).matches()).forEach(out::add);
        }
        return List.copyOf(out);
    }

    /** The regex of a pattern entry over {@code schema.table}, as capture's table filter builds it. */
    static Pattern regex(TableId entry) {
        return Pattern.compile(glob(entry.schema()) + Pattern.quote(".") + glob(entry.table()));
    }

    private static String glob(String part) {
        return Arrays.stream(part.split("\\*", -1)).map(s -> s.isEmpty() ? "" : Pattern.quote(s)).collect(Collectors.joining(".*"));
    }

    private static List<TableId> tables(Connection c) throws SQLException {
        List<TableId> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TABLES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }
}
