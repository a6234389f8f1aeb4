package dev.replog.schemas;

import java.util.Set;

/** PostgreSQL's built-in type names that can be written unquoted in a column declaration. */
final class BuiltInTypes {

    private static final Set<String> NAMES = Set.of(
            "int2", "int4", "int8", "smallint", "integer", "bigint", "serial", "bigserial",
            "numeric", "decimal", "float4", "float8", "real", "money",
            "bool", "boolean", "text", "varchar", "bpchar", "char", "name", "bytea", "uuid",
            "json", "jsonb", "xml", "date", "time", "timetz", "timestamp", "timestamptz", "interval",
            "inet", "cidr", "macaddr", "macaddr8", "bit", "varbit", "tsvector", "tsquery",
            "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
            "point", "line", "lseg", "box", "path", "polygon", "circle", "oid", "ltree", "citext", "hstore");

    private BuiltInTypes() {
    }

    static boolean isBuiltIn(String lowerCaseName) {
        return NAMES.contains(lowerCaseName);
    }
}
