package dev.replog.applier.deadletter;

import dev.replog.schemas.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;

/** The columns a poison event is stored in, shared by {@code replog.dead_letters} and {@code replog.stopped_tables}. */
public final class PoisonColumns {

    static final String DEFINITION = """
            topic        text        NOT NULL,
            partition    integer     NOT NULL,
            kafka_offset bigint      NOT NULL,
            source_lsn   pg_lsn,
            table_name   text        NOT NULL,
            error_kind   text        NOT NULL,
            sqlstate     text,
            error        text        NOT NULL,
            record_key   bytea,
            record_value bytea,
            failed_at    timestamptz NOT NULL""";

    static final String NAMES = "topic, partition, kafka_offset, source_lsn, table_name, error_kind, sqlstate, error, "
            + "record_key, record_value, failed_at";

    static final String PLACEHOLDERS = "?, ?, ?, ?::pg_lsn, ?, ?, ?, ?, ?, ?, ?";

    private PoisonColumns() {
    }

    /** Creates one of Replog's poison-event tables ({@code table} is a constant of ours, not user input). */
    public static void createTable(Connection c, String table, String primaryKey) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + DEFINITION + ", PRIMARY KEY (" + primaryKey + "))");
        }
    }

    /** Stores an event; a row already there for the same key is kept (the first event wins). */
    public static void insert(Connection c, String table, PoisonEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + NAMES + ") VALUES ("
                + PLACEHOLDERS + ") ON CONFLICT DO NOTHING")) {
            bind(ps, e);
            ps.executeUpdate();
        }
    }

    static void bind(PreparedStatement ps, PoisonEvent e) throws SQLException {
        ps.setString(1, e.topic());
        ps.setInt(2, e.partition());
        ps.setLong(3, e.offset());
        ps.setString(4, e.lsn() == null ? null : e.lsn().toString());
        ps.setString(5, e.table());
        ps.setString(6, e.kind());
        ps.setString(7, e.sqlState());
        ps.setString(8, e.error());
        ps.setBytes(9, e.key());
        ps.setBytes(10, e.value());
        ps.setTimestamp(11, Timestamp.from(e.failedAt()));
    }

    /** Reads the columns selected as {@code NAMES} (with source_lsn as text). */
    public static PoisonEvent read(ResultSet rs) throws SQLException {
        String lsn = rs.getString("source_lsn");
        return new PoisonEvent(rs.getString("topic"), rs.getInt("partition"), rs.getLong("kafka_offset"),
                lsn == null ? null : Lsn.parse(lsn), rs.getString("table_name"), rs.getString("error_kind"),
                rs.getString("sqlstate"), rs.getString("error"), rs.getBytes("record_key"), rs.getBytes("record_value"),
                rs.getTimestamp("failed_at").toInstant());
    }

    /** False before the first applier ran on this follower. */
    public static boolean tableExists(java.sql.Connection c, String qualified) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The select list for {@link #read}. */
    public static String selectList() {
        return NAMES.replace("source_lsn", "source_lsn::text AS source_lsn");
    }

    /** {@link #selectList()} with every column taken from the table under this alias. */
    static String selectList(String alias) {
        StringBuilder out = new StringBuilder();
        for (String name : NAMES.split(",")) {
            String n = name.trim();
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(alias).append('.').append(n).append(n.equals("source_lsn") ? "::text AS source_lsn" : "");
        }
        return out.toString();
    }
}
