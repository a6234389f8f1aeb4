package dev.replog.schemas;

import java.util.Map;

/**
 * BEGIN or END of a leader transaction, as published on the transactions topic. END carries the
 * number of events the transaction wrote to each table, so a consumer knows when it has them all.
 */
public record TransactionBoundary(Kind kind, String transactionId, long eventCount,
                                  Map<TableId, Long> eventsPerTable, SourcePosition source)
        implements ChangeEvent {

    public enum Kind { BEGIN, END }

    public TransactionBoundary {
        eventsPerTable = Map.copyOf(eventsPerTable);
    }
}
