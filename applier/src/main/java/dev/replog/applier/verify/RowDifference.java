package dev.replog.applier.verify;

import java.util.List;

/** One row that differs on the follower, by its primary key's values as text (in key order). */
public record RowDifference(List<String> key, Kind kind) {

    public enum Kind {
        /** On both, with different values. */
        CHANGED,
        /** On the leader, not on the follower. */
        MISSING,
        /** On the follower, not on the leader. */
        EXTRA
    }

    /** The key as a row literal an operator can paste into a WHERE clause, e.g. {@code (30, 'sku-10')}. */
    public String describeKey() {
        return KeyRange.values(key);
    }
}
