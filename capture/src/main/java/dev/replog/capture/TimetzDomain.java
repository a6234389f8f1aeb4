package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lets a streamed timetz value reach {@link PgTextConverter} as pgoutput's text, offset included.
 * Debezium 3.6.3 converts a streamed pg_catalog.timetz to UTC before any converter runs
 * ({@code ReplicationMessageColumnValueResolver#resolveValue}: {@code asOffsetTimeUtc()}), but it
 * picks the type of a streamed column by name, in the table's own schema first
 * ({@code PgOutputMessageDecoder#resolveColumnsFromStreamTupleData}:
 * {@code typeRegistry.get(table.id().schema(), column.typeName())}). A domain {@code timetz} over
 * text in that schema is found there, resolves to its base type text, and the value stays text.
 * (Debezium registers domains after base types, so the unqualified name {@code timetz} still means
 * pg_catalog's.) PostgreSQL itself is unaffected: it searches pg_catalog before every schema of the
 * search_path unless the search_path names pg_catalog explicitly after that schema. Still, it is a
 * type added to the user's schema, so it is created only with {@code capture.timetz.offsets=exact}
 * (the default); {@code utc} leaves the leader's schemas alone and gives up the offset.
 */
final class TimetzDomain {

    private static final Logger log = LoggerFactory.getLogger(TimetzDomain.class);
    static final String COMMENT = "Created by Replog capture: makes Debezium pass streamed timetz values of this "
            + "schema's tables as text, offset included. Not a type to use.";

    private TimetzDomain() {
    }

    /**
     * With {@link TimetzOffsets#EXACT}, creates the domain, if missing, in each schema holding one of
     * these tables with a timetz column; with {@link TimetzOffsets#UTC}, creates nothing and names in
     * one WARN line the columns whose streamed values will arrive with offset +00. Either way a type
     * of another kind named timetz in such a schema is refused: Debezium would take it for the type
     * of those columns.
     */
    static void apply(Connection c, List<TableId> tables, TimetzOffsets offsets) throws SQLException {
        Map<String, List<String>> columnsBySchema = new LinkedHashMap<>();
        for (TableId t : tables) {
            for (String column : timetzColumns(c, t)) {
                columnsBySchema.computeIfAbsent(t.schema(), s -> new ArrayList<>())
                        .add(SqlIdentifiers.quote(t) + "." + SqlIdentifiers.quote(column));
            }
        }
        List<String> offsetLost = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : columnsBySchema.entrySet()) {
            String schema = e.getKey();
            String existing = existing(c, schema);
            if ("text".equals(existing)) {
                continue;
            }
            if (existing != null) {
                throw new CaptureException("schema " + SqlIdentifiers.quote(schema) + " has a type named timetz of its own ("
                        + existing + "), which Debezium would take for the type of its tables' timetz columns. Rename it "
                        + "(docs/types.md, \"timetz\")");
            }
            if (offsets == TimetzOffsets.EXACT) {
                create(c, schema);
            } else {
                offsetLost.addAll(e.getValue());
            }
        }
        if (!offsetLost.isEmpty()) {
            log.warn("capture.timetz.offsets=utc: streamed values of timetz columns {} keep their instant but arrive with "
                    + "offset +00 (the initial snapshot keeps the offset); capture.timetz.offsets=exact keeps it "
                    + "(docs/types.md, \"timetz\")", String.join(", ", offsetLost));
        }
    }

    /** Columns of the table whose type is pg_catalog.timetz itself (arrays keep their offset anyway). */
    private static List<String> timetzColumns(Connection c, TableId t) throws SQLException {
        String sql = """
                SELECT a.attname FROM pg_attribute a
                  JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                  WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.atttypid = 'pg_catalog.timetz'::regtype
                  ORDER BY a.attnum""";
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, t.schema());
            ps.setString(2, t.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
    }

    /** @return the schema's own timetz type as "text" for Replog's domain, another description, or null if none */
    private static String existing(Connection c, String schema) throws SQLException {
        String sql = """
                SELECT CASE WHEN t.typtype = 'd' AND t.typbasetype = 'pg_catalog.text'::regtype THEN 'text'
                            WHEN t.typtype = 'd' THEN 'a domain over ' || format_type(t.typbasetype, NULL)
                            ELSE 'a type of kind ' || t.typtype::text END
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = ? AND t.typname = 'timetz'""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void create(Connection c, String schema) throws SQLException {
        String domain = SqlIdentifiers.quote(schema) + ".timetz";
        try (Statement s = c.createStatement()) {
            s.execute("CREATE DOMAIN " + domain + " AS pg_catalog.text");
            s.execute("COMMENT ON DOMAIN " + domain + " IS '" + COMMENT.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new CaptureException("cannot create domain " + domain + " on the leader (" + e.getMessage().trim()
                    + "): it lets streamed timetz values keep their offset. Create it as a user who may: CREATE DOMAIN "
                    + domain + " AS pg_catalog.text; or set capture.timetz.offsets=utc to give up the offset "
                    + "(docs/types.md, \"timetz\")", e);
        }
        log.info("created domain {} AS text on the leader: streamed timetz values of that schema's tables keep their "
                + "offset (docs/types.md, \"timetz\")", domain);
    }
}
