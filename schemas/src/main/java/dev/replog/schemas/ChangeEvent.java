package dev.replog.schemas;

/**
 * One entry of the replication log, decoded. Sealed so that every switch over the kinds of events
 * is checked by the compiler: adding a kind forces every consumer to decide what to do with it.
 */
public sealed interface ChangeEvent permits RowChange, Truncate, SchemaChange, TransactionBoundary, Watermark {

    /** Where on the leader this event comes from. */
    SourcePosition source();
}
