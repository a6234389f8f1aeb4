package dev.replog.capture;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.pipeline.notification.Notification;
import io.debezium.pipeline.notification.channels.NotificationChannel;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Debezium's notification channel {@code replog} (found by Debezium through ServiceLoader): tells
 * capture when an incremental snapshot could not copy a table. Debezium logs such a failure (an SQL
 * error such as a missing SELECT privilege, an unknown schema) and goes on streaming without the
 * table's earlier rows; capture hears of it here and asks for the copy again (LeaderPublication).
 * Debezium makes the channel itself, so captures register by their connector's logical name
 * ({@code topic.prefix}).
 */
public final class CopyNotifications implements NotificationChannel {

    static final String NAME = "replog";
    private static final Set<String> COMPLETE = Set.of("SUCCEEDED", "EMPTY");
    private static final Map<String, BiConsumer<String, String>> LISTENERS = new ConcurrentHashMap<>();

    private String logicalName;

    /** {@code failed} receives the table as Debezium names it ({@code schema.table}) and Debezium's status. */
    static void listen(String logicalName, BiConsumer<String, String> failed) {
        LISTENERS.put(logicalName, failed);
    }

    static void stopListening(String logicalName) {
        LISTENERS.remove(logicalName);
    }

    @Override
    public void init(CommonConnectorConfig config) {
        logicalName = config.getLogicalName();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void send(Notification n) {
        Map<String, String> data = n.getAdditionalData();
        if (!"Incremental Snapshot".equals(n.getAggregateType()) || !"TABLE_SCAN_COMPLETED".equals(n.getType()) || data == null
                || COMPLETE.contains(data.get("status"))) {
            return;
        }
        BiConsumer<String, String> failed = LISTENERS.get(logicalName);
        if (failed != null) {
            failed.accept(data.get("scanned_collection"), data.get("status"));
        }
    }

    @Override
    public void close() {
        // Nothing held: the listener belongs to the capture that registered it.
    }
}
