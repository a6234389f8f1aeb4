package dev.replog.capture;

import dev.replog.schemas.UserType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads, from the leader's catalog, every type that is not built into PostgreSQL and that a table's
 * columns use, directly or through another such type (an array's element, a composite's
 * attributes, a domain's base type, a range's subtype, a multirange's range), in dependency order:
 * what a follower must create, one after the other, before the table. A type an extension provides
 * is named with its extension; a base type no extension provides, a pseudo-type, and a range with a
 * function of the user's own (which the log cannot carry) are refused with an error naming them.
 */
final class LeaderTypes {

    private final Connection c;
    private final Map<Long, UserType> found = new LinkedHashMap<>();

    private LeaderTypes(Connection c) {
        this.c = c;
    }

    /** @param tableOid the table's pg_class oid */
    static List<UserType> of(Connection c, long tableOid) throws SQLException {
        LeaderTypes types = new LeaderTypes(c);
        for (long oid : oids(c, "SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 "
                + "AND NOT a.attisdropped ORDER BY a.attnum", tableOid)) {
            types.visit(oid);
        }
        return List.copyOf(types.found.values());
    }

    /**
     * A digest of every user type's catalog rows (types, enum labels, domain constraints, composite
     * attributes), which moves whenever one is created, altered or dropped: row versions (xmin) are
     * new after any change. One query, cheap enough to run once per batch.
     */
    static String fingerprint(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT md5(coalesce(string_agg(f, ',' ORDER BY f), '')) FROM (
                  SELECT 't' || t.oid || ':' || t.xmin FROM pg_type t
                  WHERE t.typtype IN ('e', 'd', 'r', 'm')
                     OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
                  UNION ALL SELECT 'e' || e.oid || ':' || e.xmin FROM pg_enum e
                  UNION ALL SELECT 'k' || k.oid || ':' || k.xmin FROM pg_constraint k WHERE k.contypid <> 0
                  UNION ALL SELECT 'a' || a.attrelid || ':' || a.attnum || ':' || a.xmin FROM pg_attribute a
                    JOIN pg_class r ON r.oid = a.attrelid AND r.relkind = 'c') AS rows(f)""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * SQL printing the type {@code oid} with modifier {@code mod} as {@code format_type} does, but
     * schema-qualified unless it is in pg_catalog: the follower resolves it whatever its search_path.
     */
    static String qualifiedTypeSql(String oid, String mod) {
        return """
                (SELECT CASE WHEN en.nspname = 'pg_catalog' THEN format_type(qt.oid, %2$s)
                             ELSE quote_ident(en.nspname) || '.' || quote_ident(et.typname)
                                  || CASE WHEN et.oid <> qt.oid THEN '[]' ELSE '' END END
                 FROM pg_type qt
                 JOIN pg_type et ON et.oid = CASE WHEN qt.typcategory = 'A' AND qt.typelem <> 0 THEN qt.typelem ELSE qt.oid END
                 JOIN pg_namespace en ON en.oid = et.typnamespace
                 WHERE qt.oid = %1$s)""".formatted(oid, mod);
    }

    private void visit(long oid) throws SQLException {
        if (found.containsKey(oid)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.typtype, n.nspname, t.typname, t.typcategory = 'A' AND t.typelem <> 0, t.typelem, t.typbasetype,
                       t.typrelid, (SELECT x.extname FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
                                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                                      AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' LIMIT 1),
                       format_type(t.oid, NULL)
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("type with oid " + oid + " does not exist (any more)");
                }
                String typtype = rs.getString(1);
                String schema = rs.getString(2);
                String name = rs.getString(3);
                String extension = rs.getString(8);
                String shown = rs.getString(9);
                if (typtype.equals("b") && rs.getBoolean(4)) {
                    visit(rs.getLong(5));
                } else if (extension != null) {
                    // Before the built-in test: an extension may be installed into pg_catalog.
                    found.put(oid, UserType.fromExtension(schema, name, extension));
                } else if (schema.equals("pg_catalog") || schema.equals("information_schema")) {
                    return; // built in: every follower has it
                } else {
                    switch (typtype) {
                        case "e" -> found.put(oid, UserType.enumType(schema, name, labels(oid)));
                        case "c" -> found.put(oid, UserType.composite(schema, name, attributes(rs.getLong(7))));
                        case "d" -> {
                            visit(rs.getLong(6));
                            found.put(oid, UserType.domain(LeaderDomains.read(c, oid)));
                        }
                        case "r" -> found.put(oid, range(oid, schema, name, shown));
                        case "m" -> {
                            for (long range : oids(c, "SELECT rngtypid FROM pg_range WHERE rngmultitypid = ?", oid)) {
                                visit(range);
                            }
                        }
                        default -> throw new CaptureException("type " + shown + " is a "
                                + (typtype.equals("b") ? "base type that no extension provides" : "pseudo-type")
                                + ": Replog cannot create it on a follower");
                    }
                }
            }
        }
    }

    private List<String> labels(long oid) throws SQLException {
        List<String> labels = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    labels.add(rs.getString(1));
                }
            }
        }
        return labels;
    }

    private List<UserType.Attribute> attributes(long relation) throws SQLException {
        List<UserType.Attribute> attributes = new ArrayList<>();
        List<Long> types = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, a.atttypid, " + qualifiedTypeSql("a.atttypid", "a.atttypmod")
                + " FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setLong(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    attributes.add(new UserType.Attribute(rs.getString(1), rs.getString(3)));
                    types.add(rs.getLong(2));
                }
            }
        }
        for (long type : types) {
            visit(type);
        }
        return attributes;
    }

    private UserType range(long oid, String schema, String name, String shown) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rngsubtype, " + qualifiedTypeSql("r.rngsubtype", "NULL")
                + """
                , mn.nspname, m.typname, r.rngcanonical::text, nullif(r.rngsubdiff::oid, 0)::regprocedure::text,
                  pn.nspname = 'pg_catalog', p.proname,
                  r.rngcollation <> 0 AND r.rngcollation <> s.typcollation,
                  r.rngsubopc <> (SELECT o.oid FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod
                                  WHERE am.amname = 'btree' AND o.opcdefault AND o.opcintype =
                                        CASE WHEN s.typtype = 'd' THEN s.typbasetype ELSE s.oid END LIMIT 1)
                FROM pg_range r
                JOIN pg_type s ON s.oid = r.rngsubtype
                JOIN pg_type m ON m.oid = r.rngmultitypid JOIN pg_namespace mn ON mn.oid = m.typnamespace
                LEFT JOIN pg_proc p ON p.oid = r.rngsubdiff LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
                WHERE r.rngtypid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("range type " + shown + " has no pg_range row");
                }
                if (!"-".equals(rs.getString(5))) {
                    throw cannotTravel(shown, "its canonical function " + rs.getString(5));
                }
                if (rs.getString(6) != null && !rs.getBoolean(7)) {
                    throw cannotTravel(shown, "its subtype_diff function " + rs.getString(6));
                }
                if (rs.getBoolean(9)) {
                    throw cannotTravel(shown, "its collation, other than its subtype's");
                }
                if (rs.getBoolean(10)) {
                    throw cannotTravel(shown, "its subtype operator class, other than the default one");
                }
                long subtype = rs.getLong(1);
                UserType range = UserType.range(schema, name, rs.getString(2), rs.getString(6) == null ? null : rs.getString(8),
                        rs.getString(3), rs.getString(4));
                visit(subtype);
                return range;
            }
        }
    }

    private static CaptureException cannotTravel(String range, String what) {
        return new CaptureException("range type " + range + " has " + what + ", which Replog cannot create on a follower");
    }

    private static List<Long> oids(Connection c, String sql, long oid) throws SQLException {
        List<Long> oids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    oids.add(rs.getLong(1));
                }
            }
        }
        return oids;
    }
}
