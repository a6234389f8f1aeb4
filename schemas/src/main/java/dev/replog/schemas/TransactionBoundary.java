package dev.replog.schemas;

import java.util.Map;

/**
 * BEGIN or END of a leader transaction, as published on the transactions topic. END carries the
 * number of events the transaction wrote to each table, so a consumer knows when it has them all.
 *
 * @param eventsPerCollection events per table, by Debezium's name for it: {@code schema.table}
 *                            unquoted, so a schema or table name with a '.' in it makes the split
 *                            point ambiguous; match the whole name against the tables known instead
 */
public record TransactionBoundary(Kind kind, String transactionId, long eventCount,
                                  Map<String, Long> eventsPerCollection, SourcePosition source)
        implements ChangeEvent {

    public enum Kind { BEGIN, END }

    public TransactionBoundary {
        eventsPerCollection = Map.copyOf(eventsPerCollection);
    }
}
