package dev.replog.schemas;

import java.util.Set;

/**
 * PostgreSQL's built-in type names that can be written in a column declaration as they are, except
 * {@code char}: as a type name Debezium passes, that is pg_catalog's one-byte {@code "char"}
 * (character(n) arrives as {@code bpchar}), which must be quoted, since unquoted {@code char} means
 * {@code character(1)} ({@link PgType#toSql}).
 */
final class BuiltInTypes {

    private static final Set<String> NAMES = Set.of(
            "int2", "int4", "int8", "smallint", "integer", "bigint", "serial", "bigserial",
            "numeric", "decimal", "float4", "float8", "real", "money",
            "bool", "boolean", "text", "varchar", "bpchar", "char", "name", "bytea", "uuid",
            "json", "jsonb", "xml", "date", "time", "timetz", "timestamp", "timestamptz", "interval",
            "inet", "cidr", "macaddr", "macaddr8", "bit", "varbit", "tsvector", "tsquery",
            "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
            "point", "line", "lseg", "box", "path", "polygon", "circle", "oid", "ltree", "citext", "hstore",
            "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange", "datemultirange",
            "pg_lsn", "xid", "xid8", "cid", "tid", "oidvector", "int2vector", "aclitem", "jsonpath", "txid_snapshot",
            "pg_snapshot", "regclass", "regproc", "regprocedure", "regoper", "regoperator", "regtype", "regrole",
            "regnamespace", "regconfig", "regdictionary", "regcollation");

    private BuiltInTypes() {
    }

    static boolean isBuiltIn(String lowerCaseName) {
        return NAMES.contains(lowerCaseName);
    }
}
