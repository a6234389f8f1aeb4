package dev.replog.capture;

import dev.replog.schemas.LogFormat;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A log keeps the format it was created with (schemas/README.md, "Keys and partitions"): a key's bytes
 * differ between the formats, so the producer would send a row's later changes to another partition
 * than its earlier ones. A compact log is one with a schemas topic; a JSON log is one with records
 * but no schemas topic. Capture refuses to start on a log of the other format, naming the topics.
 */
final class LogFormatCheck {

    private static final long TIMEOUT_S = 30;

    private LogFormatCheck() {
    }

    /** @param tableTopics the log's table topics that exist, with their partition counts */
    static void check(Admin admin, TopicNames topics, LogFormat format, Map<String, Integer> tableTopics) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            boolean compactLog = existing.contains(topics.schemas());
            if (format == LogFormat.JSON && compactLog) {
                throw new CaptureException("log.format=json, but the log under topics.prefix=" + topics.prefix()
                        + " is in the compact format (topic " + topics.schemas() + " exists): a log keeps the format it was "
                        + "created with. Set log.format=compact, or write the JSON format to a new topics.prefix");
            }
            if (format == LogFormat.COMPACT && !compactLog) {
                Map<String, Integer> candidates = new HashMap<>(tableTopics);
                for (String own : List.of(topics.transactions(), topics.heartbeat())) {
                    if (existing.contains(own)) {
                        candidates.put(own, 1);
                    }
                }
                List<String> written = withRecords(admin, candidates);
                if (!written.isEmpty()) {
                    throw new CaptureException("log.format=compact, but the log under topics.prefix=" + topics.prefix()
                            + " is in the JSON format (topics " + String.join(", ", written) + " hold records and there is no "
                            + topics.schemas() + "): a log keeps the format it was created with. Set log.format=json, or "
                            + "write the compact format to a new topics.prefix (and rebuild followers from it)");
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new CaptureException("cannot check the log's format: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while checking the log's format");
        }
    }

    private static List<String> withRecords(Admin admin, Map<String, Integer> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        topics.forEach((topic, partitions) -> {
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        });
        List<String> written = new ArrayList<>();
        if (ends.isEmpty()) {
            return written;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(ends).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        found.forEach((tp, info) -> {
            if (info.offset() > 0 && !written.contains(tp.topic())) {
                written.add(tp.topic());
            }
        });
        written.sort(null);
        return written;
    }
}
