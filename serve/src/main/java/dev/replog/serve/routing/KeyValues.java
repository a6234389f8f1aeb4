package dev.replog.serve.routing;

import dev.replog.schemas.RowChange;

import java.util.ArrayList;
import java.util.List;

/** A row change's primary-key values in key order, as PostgreSQL text: what a replica store is keyed by. */
public final class KeyValues {

    private KeyValues() {
    }

    public static List<String> of(RowChange change) {
        List<String> values = new ArrayList<>(change.schema().keyColumns().size());
        for (String k : change.schema().keyColumns()) {
            String v = change.keyRow().get(k);
            if (v == null) {
                throw new IllegalArgumentException("a " + change.op() + " of " + change.table() + " has no value for key column " + k);
            }
            values.add(v);
        }
        return values;
    }
}
