package dev.replog.schemas;

/** A column of a leader table as described by the log: name, PostgreSQL type, nullability. */
public record Column(String name, PgType type, boolean optional) {
}
