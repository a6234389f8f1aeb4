package dev.replog.capture;

import io.debezium.spi.converter.RelationalColumn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says, once per column, which values of a column written in Debezium's standard form
 * ({@code capture.value.encoding=debezium}) that form cannot carry: Debezium turns them into other
 * values or nulls without a word, per event, and capture cannot see them go by (docs/encoding.md).
 */
final class DebeziumEncodingLosses {

    private static final Logger log = LoggerFactory.getLogger(DebeziumEncodingLosses.class);
    /** Columns already named, by table and column: Debezium asks again for every new table schema. */
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private DebeziumEncodingLosses() {
    }

    static void announce(RelationalColumn column) {
        String losses = of(column.typeName());
        if (losses != null && ANNOUNCED.add(column.dataCollection() + "\u0000" + column.name())) {
            log.warn("capture.value.encoding=debezium: column '{}' of table {} ({}) travels in Debezium's standard form, "
                    + "which cannot carry {}; use capture.value.encoding=exact to keep them", column.name(),
                    column.dataCollection(), column.typeName(), losses);
        }
    }

    /** What Debezium's form of this type loses, or null if nothing. */
    static String of(String type) {
        return switch (type) {
            case "date" -> "TODO";
            case "timestamp" -> "TODO";
            case "timetz" -> "TODO";
            default -> type.startsWith("_") ? "TODO" : null;
        };
    }
}
