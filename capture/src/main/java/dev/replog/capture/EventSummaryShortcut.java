package dev.replog.capture;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.connector.postgresql.Module;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.pipeline.signal.actions.SignalAction;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.pipeline.spi.OffsetContext;
import io.debezium.pipeline.spi.Partition;
import io.debezium.pipeline.txmetadata.TransactionInfo;
import io.debezium.spi.schema.DataCollectionId;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.time.Instant;
import java.util.Map;

/**
 * A version-guarded fix for Debezium 3.6.3's per-event JMX summary (docs/benchmark.md, "Debezium's
 * per-event JMX summary string"): for every streamed event the streaming metrics set their
 * {@code LastEvent} attribute to the event's position and key rendered as JSON through a new Jackson
 * ObjectMapper — a fifth of Debezium's streaming thread, whether or not anyone reads JMX, with no
 * setting to turn it off. Debezium 3.7.1 makes it cheap (dbz#2492) but cannot be had with our
 * embedded engine yet.
 *
 * <p>Debezium hands signal action providers its coordinator just before streaming starts, the one
 * moment Replog code sees it; this provider adds no action, and swaps the summary source of the
 * streaming metrics' event meter for one that gives the table's name: {@code LastEvent} then names
 * the table of the last event instead of its position and key; every counter and lag figure is
 * unchanged. Installed only on the Debezium release it was written and tested for
 * ({@link #FOR_DEBEZIUM}); on any other it does nothing and says so once, and
 * {@code EventSummaryShortcutTest} fails, so an upgrade re-checks it. It never stops capture: if
 * the fields it needs are not there, capture goes on with Debezium's summary.
 */
public final class EventSummaryShortcut implements io.debezium.pipeline.signal.actions.SignalActionProvider {

    /** The Debezium release whose metrics classes this reaches into. */
    public static final String FOR_DEBEZIUM = "3.6.3.Final";

    private static final Logger log = LoggerFactory.getLogger(EventSummaryShortcut.class);

    @Override
    public <P extends Partition> Map<String, SignalAction<P>> createActions(
            EventDispatcher<P, ? extends DataCollectionId> dispatcher, ChangeEventSourceCoordinator<P, ?> coordinator,
            CommonConnectorConfig config) {
        if (!FOR_DEBEZIUM.equals(Module.version())) {
            log.info("Debezium {}: its per-event JMX summary is left as it is (Replog's shortcut is for {} only)",
                    Module.version(), FOR_DEBEZIUM);
            return Map.of();
        }
        try {
            Object streamingMetrics = field(ChangeEventSourceCoordinator.class, "streamingMetrics").get(coordinator);
            Object meter = field(io.debezium.pipeline.metrics.PipelineMetrics.class, "commonEventMeter").get(streamingMetrics);
            Field provider = field(io.debezium.pipeline.meters.CommonEventMeter.class, "metadataProvider");
            EventMetadataProvider debeziums = (EventMetadataProvider) provider.get(meter);
            if (!(debeziums instanceof TableNameSummary)) {
                provider.set(meter, new TableNameSummary(debeziums));
            }
            log.debug("Debezium's per-event JMX summary replaced by the table's name");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Debezium's per-event JMX summary could not be replaced ({}); capture goes on with it", e.toString());
        }
        return Map.of();
    }

    private static Field field(Class<?> owner, String name) throws NoSuchFieldException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** Debezium's metadata for every figure but the summary, which is the table's (already built) name. */
    record TableNameSummary(EventMetadataProvider debeziums) implements EventMetadataProvider {

        @Override
        public Instant getEventTimestamp(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return debeziums.getEventTimestamp(source, offset, key, value);
        }

        @Override
        public Map<String, String> getEventSourcePosition(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return debeziums.getEventSourcePosition(source, offset, key, value);
        }

        @Override
        public String getTransactionId(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return debeziums.getTransactionId(source, offset, key, value);
        }

        @Override
        public TransactionInfo getTransactionInfo(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return debeziums.getTransactionInfo(source, offset, key, value);
        }

        @Override
        public String toSummaryString(DataCollectionId source, OffsetContext offset, Object key, Struct value) {
            return source == null ? "" : source.identifier();
        }
    }
}
