package dev.replog.schemas;

/** TRUNCATE of one leader table. */
public record Truncate(TableId table, SourcePosition source) implements ChangeEvent {
}
