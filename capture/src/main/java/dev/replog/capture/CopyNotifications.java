package dev.replog.capture;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.pipeline.notification.Notification;
import io.debezium.pipeline.notification.channels.NotificationChannel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Debezium's notification channel {@code replog} (found by Debezium through ServiceLoader): tells
 * capture how its incremental snapshots (copies of a table) go: a chunk of a table was read, or a
 * table was read to its end, or could not be copied. Debezium logs such a failure (an SQL error such
 * as a missing SELECT privilege, an unknown schema) and goes on streaming without the table's
 * earlier rows; capture hears of it here and asks for the copy again (LeaderPublication).
 * Debezium makes the channel itself, so captures register by their connector's logical name
 * ({@code topic.prefix}).
 */
public final class CopyNotifications implements NotificationChannel {

    static final String NAME = "replog";
    private static final Map<String, Listener> LISTENERS = new ConcurrentHashMap<>();

    /**
     * What a capture hears of the copies of its tables: incremental snapshots, and the initial
     * snapshot ({@code initial}). Tables as Debezium names them ({@code schema.table}); capture's own
     * tables are left out. Called on Debezium's thread.
     */
    interface Listener {

        /** The table is being read: a chunk of an incremental snapshot was, or the initial snapshot began it (IN_PROGRESS). */
        void chunkRead(String table, boolean initial);

        /** The table was read to its end, or given up on (Debezium's TABLE_SCAN_COMPLETED and its status). */
        void tableRead(String table, boolean initial, long rowsRead, String status);

        /**
         * {@link #tableRead}, with the id of the request Debezium last took (its correlation id: the
         * signal row's id; a request taken while a copy runs replaces it).
         */
        default void tableRead(String table, boolean initial, long rowsRead, String status, String requestId) {
            tableRead(table, initial, rowsRead, status);
        }
    }

    private String logicalName;

    static void listen(String logicalName, Listener listener) {
        LISTENERS.put(logicalName, listener);
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
        Listener listener = LISTENERS.get(logicalName);
        boolean initial = "Initial Snapshot".equals(n.getAggregateType());
        if (!initial && !"Incremental Snapshot".equals(n.getAggregateType()) || data == null || listener == null) {
            return;
        }
        String inProgress = data.get("current_collection_in_progress");
        String scanned = data.get("scanned_collection");
        if ("IN_PROGRESS".equals(n.getType()) && inProgress != null && !isOwn(inProgress)) {
            listener.chunkRead(inProgress, initial);
        } else if ("TABLE_SCAN_COMPLETED".equals(n.getType()) && scanned != null && !isOwn(scanned)) {
            long rows;
            try {
                rows = Long.parseLong(data.getOrDefault("total_rows_scanned", "-1"));
            } catch (NumberFormatException e) {
                rows = -1;
            }
            listener.tableRead(scanned, initial, rows, String.valueOf(data.get("status")), n.getId());
        }
    }

    /** Capture's heartbeat (in the initial snapshot) and signal tables: no table of schema replog is ever captured. */
    static boolean isOwn(String table) {
        return table.startsWith(ReplogSchema.NAME + ".");
    }

    @Override
    public void close() {
        // Nothing held: the listener belongs to the capture that registered it.
    }
}
