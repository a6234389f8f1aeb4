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
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    /** Logs the column's losses, unless this instance (one per capture engine) did already. */
    void announce(RelationalColumn column) {
        String losses = of(column.typeName());
        if (losses != null && announced.add(column.dataCollection() + "\u0000" + column.name())) {
            log.warn("capture.value.encoding=debezium: column '{}' of table {} ({}) travels in Debezium's standard form, "
                    + "which cannot carry {}; use capture.value.encoding=exact to keep them", column.name(),
                    column.dataCollection(), column.typeName(), losses);
        }
    }

    /**
     * What Debezium's form of this type loses, or null if nothing: each loss seen on PostgreSQL and
     * Debezium 3.6.3 by DebeziumEncodingSinkTest or listed in docs/encoding.md.
     */
    static String of(String type) {
        return switch (type) {
            case "date" -> "±infinity (written as day numbers out of PostgreSQL's range) and BC dates read by the initial "
                    + "snapshot (written as the same date AD)";
            case "timestamp" -> "±infinity (written as Debezium's stand-ins 9223372036825200000 and -9223372036832400000, "
                    + "which a Replog follower reads back but other consumers read as instants of the years 294247 and "
                    + "290308 BC) and times after "
                    + "294247-01-10 04:00:54.775807 (their microseconds overflow)";
            case "timetz" -> "the offset of streamed values (written in UTC: 13:14:15+05:30 as 07:44:15Z) and a streamed "
                    + "24:00:00 (written as 00:00:00Z)";
            default -> type.startsWith("_") ? ARRAYS + elementLosses(type.substring(1)) : null;
        };
    }

    private static final String ARRAYS = "multi-dimensional arrays (their sub-arrays are written as nulls: {{1,2},{3,4}} as "
            + "[null,null]) and lower bounds other than 1 ([0:1]={7,8} is written as [7,8])";

    private static String elementLosses(String elementType) {
        return switch (elementType) {
            case "numeric" -> ", and arrays holding NaN or ±Infinity (the whole array is written as null)";
            case "date" -> ", and elements ±infinity (day numbers out of PostgreSQL's range) or BC (written as the same date AD)";
            case "timestamp" -> ", and BC elements (written some days off, by the Julian calendar)";
            case "timestamptz" -> ", and BC elements (written as the same instant AD)";
            case "time" -> ", and elements 24:00:00 (written as 00:00:00)";
            default -> "";
        };
    }
}
