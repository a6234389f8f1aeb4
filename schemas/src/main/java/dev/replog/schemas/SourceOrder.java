package dev.replog.schemas;

import java.util.Comparator;

/**
 * Where an event stands in the leader's commit order: the commit LSN of the transaction before
 * its own, then its WAL position, then its position inside its transaction. Streamed events of one
 * table partition carry strictly increasing orders, and an event replayed by a restarted capture
 * carries exactly the order it had the first time, so "not after the last applied order" means
 * "already applied". (A change's LSN alone is not enough: transactions interleave in the WAL, and
 * the two halves of a primary-key update share one LSN.)
 *
 * @param previousCommit commit LSN of the previous leader transaction, {@link Lsn#ZERO} if unknown
 */
public record SourceOrder(Lsn previousCommit, Lsn lsn, long txOrder) implements Comparable<SourceOrder> {

    private static final Comparator<SourceOrder> ORDER = Comparator.comparing(SourceOrder::previousCommit)
            .thenComparing(SourceOrder::lsn).thenComparingLong(SourceOrder::txOrder);

    /** From the record headers ({@link LogHeaders}); null if the record carries no LSN. */
    public static SourceOrder fromHeaders(String previousCommit, String lsn, String txOrder) {
        if (lsn == null) {
            return null;
        }
        return new SourceOrder(previousCommit == null ? Lsn.ZERO : Lsn.parse(previousCommit), Lsn.parse(lsn),
                txOrder == null ? 0 : Long.parseLong(txOrder));
    }

    @Override
    public int compareTo(SourceOrder o) {
        return ORDER.compare(this, o);
    }

    /** Text form for storage: {@code <previous commit> <lsn> <order>}. */
    public String encode() {
        return previousCommit + " " + lsn + " " + txOrder;
    }

    public static SourceOrder decode(String text) {
        String[] parts = text.split(" ");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a source order: " + text);
        }
        return new SourceOrder(Lsn.parse(parts[0]), Lsn.parse(parts[1]), Long.parseLong(parts[2]));
    }
}
