package dev.replog.schemas;

import java.util.Set;

/**
 * The column types Replog replicates exactly (see README, "Supported types"). Capture refuses a
 * table with a column of any other type rather than degrade its values.
 */
public final class SupportedTypes {

    /** Built-in types, by pg_type.typname. Arrays of them, enums and arrays of enums are supported too. */
    private static final Set<String> BUILT_IN = Set.of(
            "int2", "int4", "int8", "numeric", "float4", "float8", "bool",
            "text", "varchar", "bpchar", "bytea", "uuid", "json", "jsonb",
            "date", "time", "timetz", "timestamp", "timestamptz", "interval",
            "inet", "cidr", "macaddr");

    /**
     * Built-in types a domain may be based on: capture's text form of dates and timetz is chosen by
     * the column's own type name, which for a domain is the domain's.
     */
    private static final Set<String> DOMAIN_BASES = Set.of(
            "int2", "int4", "int8", "numeric", "float4", "float8", "bool",
            "text", "varchar", "bpchar", "bytea", "uuid", "json", "jsonb",
            "time", "timestamp", "timestamptz", "interval", "inet", "cidr", "macaddr");

    private SupportedTypes() {
    }

    /** @param typname a built-in type's pg_type.typname, e.g. {@code int4}, {@code timestamptz} */
    public static boolean isSupportedBuiltIn(String typname) {
        return BUILT_IN.contains(typname);
    }

    /** @param typname the pg_type.typname of a domain's base type */
    public static boolean isSupportedDomainBase(String typname) {
        return DOMAIN_BASES.contains(typname);
    }
}
