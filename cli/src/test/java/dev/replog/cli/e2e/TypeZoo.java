package dev.replog.cli.e2e;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.testkit.Sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A table with a column of every built-in type a user table can have, and an array column of each,
 * generated from the leader's {@code pg_type}: base types, ranges and multiranges of
 * {@code pg_catalog} (pseudo-types cannot be column types; arrays come with their element type). Each
 * type's values come from {@link #EDGES}; a catalog type missing there is a type this test has not
 * seen ({@link #untested}), e.g. one a new PostgreSQL version added.
 */
final class TypeZoo {

    /**
     * Types capture refuses, so they are not in the zoo: those whose input function refuses every
     * value (planner statistics and index summaries only the server builds; a value copied from the
     * catalog could not be stored on a follower), and refcursor (the JDBC driver reads it by
     * fetching from the cursor it names, which fails Debezium's snapshot).
     */
    static final Set<String> REFUSED = Set.of("pg_node_tree", "pg_ndistinct", "pg_dependencies", "pg_mcv_list",
            "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary", "gtsvector", "refcursor");

    private static final String NINES = "9".repeat(1000);

    /**
     * Edge values of every built-in type, as PostgreSQL input text. reg* values name objects every
     * database has (built-in ones, or the superuser {@code postgres}), an unknown oid, and {@code -} (0).
     */
    static final Map<String, List<String>> EDGES = Map.ofEntries(
            Map.entry("bool", List.of("true", "false")),
            Map.entry("bytea", List.of("\\x", "\\x00ff7f80", "\\xdeadbeef")),
            Map.entry("char", List.of("a", "", " ", "\\200", "\\377", "\"")),
            Map.entry("name", List.of("", "Ünïcode 🚀", "x".repeat(63), "with \"quote\" and , comma")),
            Map.entry("int8", List.of("-9223372036854775808", "9223372036854775807", "0")),
            Map.entry("int2", List.of("-32768", "32767", "0")),
            Map.entry("int4", List.of("-2147483648", "2147483647", "0")),
            Map.entry("int2vector", List.of("", "1 -32768 32767", "0")),
            Map.entry("oidvector", List.of("", "0 4294967295 16384")),
            Map.entry("text", List.of("", "unicode 🚀 𝄞 ünï", "a\\b'c\"d,{}", "NULL", " x ", "line\nbreak\ttab")),
            Map.entry("oid", List.of("0", "4294967295", "16384")),
            Map.entry("tid", List.of("(0,0)", "(4294967295,65535)", "(1,2)")),
            Map.entry("xid", List.of("0", "4294967295", "3")),
            Map.entry("cid", List.of("0", "4294967295")),
            Map.entry("xid8", List.of("0", "18446744073709551615")),
            Map.entry("json", List.of("null", "{\"b\":1,  \"a\":[1,2]}", "\"s\"", "[]", "{\"a\":1,\"a\":2}", "1e400")),
            Map.entry("jsonb", List.of("null", "{\"b\":1,\"a\":[1,2]}", "\"🚀\"", "[]", "{}", "1e400", "-0.0")),
            Map.entry("jsonpath", List.of("$", "$.a[*] ? (@ > 1)", "strict $.\"x y\".double()", "lax $[0 to last]")),
            Map.entry("xml", List.of("<a b=\"1\">x&amp;y</a>", "fragment <b/> text", "", "<?xml version=\"1.0\"?><r>é</r>",
                    "<!-- c --><a/><b/>")),
            Map.entry("point", List.of("(0,0)", "(-0,1.5)", "(1e+300,-1e-300)", "(NaN,Infinity)", "(-Infinity,0.1)")),
            Map.entry("lseg", List.of("[(0,0),(1,1)]", "[(-0,NaN),(1e+300,-1.5)]")),
            Map.entry("path", List.of("[(0,0),(1,1),(2,0)]", "((0,0),(1,1),(2,0))", "((0.1,-0))", "[(1e-300,Infinity)]")),
            Map.entry("box", List.of("(1,1),(0,0)", "(Infinity,1e+300),(-Infinity,-0)", "(0.1,0.2),(0.1,0.2)")),
            Map.entry("polygon", List.of("((0,0),(1,1),(1,0))", "((0.5,-0))", "((1e+300,NaN),(Infinity,2))")),
            Map.entry("line", List.of("{1,-1,0}", "{0,1,-1e+300}", "{1.5,0,NaN}", "{-0,1,-0}")),
            Map.entry("circle", List.of("<(0,0),0>", "<(1e+300,-0),Infinity>", "<(NaN,1),1.5>")),
            Map.entry("float4", List.of("NaN", "Infinity", "-Infinity", "-0", "3.4028235e+38", "1e-45", "1.1754944e-38", "0.1")),
            Map.entry("float8", List.of("NaN", "Infinity", "-Infinity", "-0", "1.7976931348623157e+308", "5e-324", "0.1",
                    "-2.2250738585072014e-308")),
            Map.entry("money", List.of("-92233720368547758.08", "92233720368547758.07", "0", "1.5", "-0.01")),
            Map.entry("macaddr", List.of("08:00:2b:01:02:03", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00")),
            Map.entry("macaddr8", List.of("08:00:2b:01:02:03:04:05", "ff:ff:ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00:00:00")),
            Map.entry("inet", List.of("192.168.0.1/24", "::1", "0.0.0.0/0", "2001:db8::1/128", "::ffff:1.2.3.4/100")),
            Map.entry("cidr", List.of("10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0", "255.255.255.255/32")),
            Map.entry("aclitem", List.of("postgres=arwdDxtm/postgres", "=r/postgres", "postgres=a*r/postgres")),
            Map.entry("bpchar", List.of("", "ab  ", " x", "ä")),
            Map.entry("varchar", List.of("", "x", "unicode 🚀", "trailing  ")),
            // Not here: 1582-10-05..14 (see DATES_THE_SNAPSHOT_SHIFTS).
            Map.entry("date", List.of("4713-01-01 BC", "5874897-12-31", "infinity", "-infinity", "2000-02-29", "0001-01-01",
                    "0001-12-31 BC", "1582-10-04", "1582-10-15", "0004-02-29")),
            Map.entry("time", List.of("00:00:00", "24:00:00", "23:59:59.999999", "12:34:56.5")),
            Map.entry("timestamp", List.of("4713-01-01 00:00:00 BC", "294276-12-31 23:59:59.999999", "infinity", "-infinity",
                    "1999-01-08 04:05:06.000001", "0001-01-01 00:00:00", "1582-10-10 12:00:00", "0001-12-31 23:59:59.5 BC")),
            Map.entry("timestamptz", List.of("4713-01-01 00:00:00+00 BC", "294276-12-31 23:59:59.999999+00", "infinity",
                    "-infinity", "2023-06-01 12:34:56.789012+05:30", "1582-10-10 12:00:00-12")),
            // Not here: 'infinity', '-infinity' and more than 2147483647 hours in the time part, which
            // PostgreSQL 17 has but Debezium's streaming cannot parse (see INTERVALS_DEBEZIUM_CANNOT_STREAM).
            Map.entry("interval", List.of("0", "178000000 years", "-178000000 years", "1 year 2 mons 3 days 04:05:06.789012",
                    "-1 years +2 mons -3 days +04:05:06", "-00:00:00.000001", "2147483647 days 2147483647:59:59.999999",
                    "-2147483648 days -2147483647:59:59.999999", "1 mon -1 days", "0.5 seconds", "-1 days +23:59:59.999999",
                    "1 decade 1 century 1 millennium 1 week", "-0.000001 seconds", "12 hours 100 minutes 3600.5 seconds")),
            Map.entry("timetz", List.of("00:00:00+15:59:59", "24:00:00-15:59:59", "12:34:56.789+05:30", "00:00:00+00",
                    "23:59:59.999999-12")),
            Map.entry("bit", List.of("0", "1")),
            Map.entry("varbit", List.of("", "1", "0101".repeat(100) + "1")),
            Map.entry("numeric", List.of("NaN", "Infinity", "-Infinity", "0", "-0.000", "-123.4500", NINES,
                    "-" + NINES + "." + NINES, "0." + "0".repeat(999) + "1", "1e-16383")),
            Map.entry("regprocedure", List.of("sum(integer)", "-", "now()", "4294967295")),
            Map.entry("regproc", List.of("now", "-", "int4in", "4294967295")),
            Map.entry("regoper", List.of("||/", "0", "4294967295")),
            Map.entry("regoperator", List.of("+(integer,integer)", "-(NONE,integer)", "0", "4294967295")),
            Map.entry("regclass", List.of("pg_class", "-", "pg_catalog.pg_type", "4294967295")),
            Map.entry("regcollation", List.of("\"C\"", "ucs_basic", "-", "4294967295")),
            Map.entry("regtype", List.of("integer", "character varying[]", "\"char\"", "-", "4294967295")),
            Map.entry("regrole", List.of("postgres", "-", "4294967295")),
            Map.entry("regnamespace", List.of("pg_catalog", "public", "-", "4294967295")),
            Map.entry("regconfig", List.of("english", "simple", "-", "4294967295")),
            Map.entry("regdictionary", List.of("simple", "english_stem", "-", "4294967295")),
            Map.entry("uuid", List.of("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
            Map.entry("pg_lsn", List.of("0/0", "FFFFFFFF/FFFFFFFF", "16/B374D848")),
            Map.entry("tsvector", List.of("", "a fat cat", "'a':1A,2B 'b':3C,4D 'c' 'x y':16383", "'It''s' 'back\\\\slash' '🚀':1")),
            Map.entry("tsquery", List.of("", "fat & (rat | !cat)", "a:*AB & b <2> c", "'x y' <-> z:A", "!!a")),
            Map.entry("txid_snapshot", List.of("10:20:10,14,15", "1:1:", "9223372036854775807:9223372036854775807:")),
            Map.entry("pg_snapshot", List.of("10:20:10,14,15", "1:1:", "9223372036854775807:9223372036854775807:")),
            Map.entry("int4range", List.of("empty", "(,)", "[1,2)", "[-2147483648,2147483647)", "(,5]", "[3,)")),
            Map.entry("int8range", List.of("empty", "(,)", "[-9223372036854775808,9223372036854775807)", "(0,1]")),
            Map.entry("numrange", List.of("empty", "(,)", "[1.5,2.5]", "[-Infinity,Infinity]", "(0.000," + NINES + ")")),
            Map.entry("tsrange", List.of("empty", "(,)", "[-infinity,infinity)", "[\"4713-01-01 00:00:00 BC\",\"294276-12-31 23:59:59.999999\"]",
                    "(2000-01-01,2000-01-01 00:00:00.000001]")),
            Map.entry("tstzrange", List.of("empty", "(,)", "[-infinity,infinity]", "[\"4713-01-01 00:00:00+00 BC\",)",
                    "(2000-01-01 00:00+05:30,2000-01-01 00:00+00]")),
            Map.entry("daterange", List.of("empty", "(,)", "[-infinity,infinity)", "[4713-01-01 BC,5874897-12-31)", "(2000-01-01,2000-01-03]")),
            Map.entry("int4multirange", List.of("{}", "{[1,2), [5,7)}", "{(,)}", "{empty}", "{(,3), [4,)}")),
            Map.entry("int8multirange", List.of("{}", "{[-9223372036854775808,0), [1,9223372036854775807)}", "{(,)}")),
            Map.entry("nummultirange", List.of("{}", "{[-Infinity,0), (0,Infinity]}", "{[1.5,1.5]}")),
            Map.entry("tsmultirange", List.of("{}", "{[-infinity,2000-01-01), [2001-01-01,infinity]}", "{(,)}")),
            Map.entry("tstzmultirange", List.of("{}", "{[-infinity,2000-01-01 00:00+00), (2000-01-01 00:00+01,)}", "{(,)}")),
            Map.entry("datemultirange", List.of("{}", "{[4713-01-01 BC,0001-01-01), [2000-01-01,infinity)}", "{(,)}")));

    /**
     * Interval values PostgreSQL 17 has that Debezium 3.6 cannot stream: it parses every streamed
     * interval into the driver's PGInterval (int hours) before any converter sees it, and stops on
     * these. The snapshot carries them exactly.
     */
    static final List<String> INTERVALS_DEBEZIUM_CANNOT_STREAM = List.of("infinity", "-infinity",
            "2147483647 days 2562047788:00:54.775807", "-2562047788:00:54.775807");

    /**
     * Dates the initial snapshot cannot read: the JDBC driver builds a java.sql.Date in the
     * Julian-Gregorian calendar, which has no 1582-10-05..14, and moves them 10 days on (the stream
     * and arrays carry them exactly).
     */
    static final List<String> DATES_THE_SNAPSHOT_SHIFTS = List.of("1582-10-05", "1582-10-14");

    /** Declarations with a type modifier, which the follower must declare alike, and values they hold. */
    static final Map<String, List<String>> MODIFIED = Map.ofEntries(
            Map.entry("bit(5)", List.of("00000", "10101", "11111")),
            Map.entry("varbit(7)", List.of("", "1", "1010101")),
            Map.entry("char(3)", List.of("", "a", "abc", "ä ")),
            Map.entry("\"char\"", List.of("x", "")),
            Map.entry("varchar(4)", List.of("", "abcd", "🚀🚀🚀🚀")),
            Map.entry("numeric(1000,500)", List.of("NaN", "0", "1." + "1".repeat(500), "-" + "9".repeat(500))),
            Map.entry("numeric(5,2)", List.of("-999.99", "0.5", "NaN")),
            Map.entry("numeric(3,-2)", List.of("99900", "-100")),
            Map.entry("interval year to month", List.of("1 year 2 months", "-178000000 years", "0")),
            Map.entry("interval day to second(2)", List.of("3 days 04:05:06.78", "-1 day -00:00:00.01")),
            Map.entry("interval minute", List.of("00:05:00", "-1 day +00:01:00")),
            Map.entry("interval(0)", List.of("1 day 00:00:01", "-1 mons +00:00:02")),
            Map.entry("timestamp(0)", List.of("2000-01-01 00:00:01", "4713-01-01 00:00:00 BC", "infinity")),
            Map.entry("timestamptz(3)", List.of("2000-01-01 00:00:01.123+00", "-infinity")),
            Map.entry("time(2)", List.of("23:59:59.99", "24:00:00")),
            Map.entry("timetz(1)", List.of("23:59:59.9+01", "00:00:00-15:59")),
            Map.entry("float(10)", List.of("0.1", "-Infinity")),
            Map.entry("double precision", List.of("0.1")));

    /** One column: its name, how it is declared, and its value in each row (SQL, not literals), NULL past them. */
    record Column(String name, String declared, List<String> values) {
    }

    private final List<Column> columns;
    private final int rows;

    private TypeZoo(List<Column> columns) {
        this.columns = columns;
        this.rows = columns.stream().mapToInt(c -> c.values().size()).max().orElse(0) + 1;
    }

    /**
     * Built-in types of the leader's catalog a user table can have a column of.
     *
     * @return typname and whether the type has an array type
     */
    static Map<String, Boolean> catalogTypes(String leaderUrl) {
        Map<String, Boolean> types = new LinkedHashMap<>();
        for (List<String> row : Sql.queryRows(leaderUrl, """
                SELECT t.typname, t.typarray <> 0 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = 'pg_catalog' AND t.typtype IN ('b', 'r', 'm') AND t.typisdefined
                  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
                ORDER BY t.typname""")) {
            types.put(row.get(0), row.get(1).equals("t"));
        }
        return types;
    }

    /** Catalog types neither {@link #EDGES} nor {@link #REFUSED} knows. */
    static Set<String> untested(Map<String, Boolean> catalogTypes) {
        Set<String> missing = new TreeSet<>(catalogTypes.keySet());
        missing.removeAll(EDGES.keySet());
        missing.removeAll(REFUSED);
        return missing;
    }

    static TypeZoo of(Map<String, Boolean> catalogTypes) {
        List<Column> columns = new ArrayList<>();
        for (Map.Entry<String, Boolean> type : catalogTypes.entrySet()) {
            String typname = type.getKey();
            if (REFUSED.contains(typname)) {
                continue;
            }
            String declared = "pg_catalog." + SqlIdentifiers.quote(typname);
            List<String> values = EDGES.getOrDefault(typname, List.of());
            columns.add(new Column("c_" + typname, declared, values.stream().map(v -> literal(v, declared)).toList()));
            if (type.getValue()) {
                columns.add(new Column("a_" + typname, declared + "[]", arrays(values, declared)));
            }
        }
        int i = 0;
        for (Map.Entry<String, List<String>> m : MODIFIED.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            i++;
            columns.add(new Column("m_" + i, m.getKey(), m.getValue().stream().map(v -> literal(v, m.getKey())).toList()));
            columns.add(new Column("ma_" + i, m.getKey() + "[]", arrays(m.getValue(), m.getKey())));
        }
        return new TypeZoo(columns);
    }

    /** Array values of every shape: empty, NULL elements, 2 and 3 dimensions, non-default lower bounds. */
    private static List<String> arrays(List<String> values, String declared) {
        if (values.isEmpty()) {
            return List.of();
        }
        String v0 = literal(values.get(0), declared);
        String v1 = literal(values.get(Math.min(1, values.size() - 1)), declared);
        String v2 = literal(values.get(Math.min(2, values.size() - 1)), declared);
        String all = values.stream().map(v -> literal(v, declared)).collect(Collectors.joining(", "));
        String array = declared + "[]";
        String none = "NULL::" + declared;
        return List.of(
                "'{}'::" + array,
                "ARRAY[" + all + ", NULL]",
                "ARRAY[[" + v0 + ", NULL], [" + v1 + ", " + v2 + "]]",
                "('[-3:-2]=' || ARRAY[" + v1 + ", " + v0 + "]::text)::" + array,
                "('[0:1][1:1][2:2]=' || ARRAY[[[" + v2 + "]], [[" + none + "]]]::text)::" + array,
                "'{NULL}'::" + array,
                "ARRAY[[" + none + ", " + none + "]]");
    }

    private static String literal(String value, String declared) {
        return "'" + value.replace("'", "''") + "'::" + declared;
    }

    /** CREATE TABLE of the zoo, keyed by {@code id}. */
    String createTable(String qualifiedName) {
        return "CREATE TABLE " + qualifiedName + " (id int PRIMARY KEY, "
                + columns.stream().map(c -> SqlIdentifiers.quote(c.name()) + " " + c.declared()).collect(Collectors.joining(", "))
                + ")";
    }

    /** Inserts every row with ids {@code firstId..}: row i holds each column's i-th value; the last row is all NULL. */
    List<String> insertRows(String qualifiedName, int firstId) {
        return IntStream.range(0, rows).mapToObj(i -> "INSERT INTO " + qualifiedName + " VALUES (" + (firstId + i) + ", "
                + columns.stream().map(c -> i < c.values().size() ? c.values().get(i) : "NULL").collect(Collectors.joining(", "))
                + ")").toList();
    }

    /** Sets every column of the row {@code id} to the values of row {@code fromId}: every value travels again as an update. */
    String copyRow(String qualifiedName, int fromId, int id) {
        String names = columns.stream().map(c -> SqlIdentifiers.quote(c.name())).collect(Collectors.joining(", "));
        return "UPDATE " + qualifiedName + " SET (" + names + ") = (SELECT " + names + " FROM " + qualifiedName
                + " WHERE id = " + fromId + ") WHERE id = " + id;
    }

    int rows() {
        return rows;
    }

    List<Column> columns() {
        return columns;
    }
}
