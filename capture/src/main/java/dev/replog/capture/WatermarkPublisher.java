package dev.replog.capture;

import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.WatermarkFormat;
import dev.replog.topology.TopicProvisioner;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Writes a watermark ({@link WatermarkFormat}) into every partition of every table topic: W, the
 * commit LSN of the last transaction whose END capture has published. Transactions reach capture in
 * commit order, so every transaction committed at or before W has all its events in the partition
 * before the watermark; readers of a partition learn how far it is complete even when nothing is
 * written to it. A watermark names only ENDs in its own Kafka transaction or an earlier one.
 *
 * <p>One is written when W has moved since the last one and at least the interval has passed: at the
 * end of a batch, after all its records and in its Kafka transaction; and, because Debezium hands
 * over a batch only when the WAL has something, by a timer in a Kafka transaction of its own. All
 * state and every use of the {@link TransactionalLog} are guarded by that log's monitor, which
 * {@link LogPublisher} holds for a whole batch: a Kafka transaction is never open outside it.
 */
final class WatermarkPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatermarkPublisher.class);

    private final TransactionalLog kafka;
    private final TopicProvisioner provisioner;
    private final long intervalNanos;
    /** A thread of its own, not an executor: an error that ends it ends the process, never it alone. */
    private final Thread timer;

    /** The last END in a committed Kafka transaction: what a watermark written now may name. */
    private Lsn committed;
    private Instant committedTime;
    /** The last END sent in the open batch: committed with it, or forgotten. */
    private Lsn inBatch;
    private Instant inBatchTime;
    /** The watermark sent in the open batch, if any. */
    private Lsn writtenInBatch;
    /** The last watermark committed, and when (System.nanoTime). */
    private Lsn written;
    private long writtenAt;
    private boolean failing;
    /** After a failed write: a table topic deleted meanwhile would fail every later one, batches included. */
    private boolean recheckTopics;
    /**
     * Another capture of the slot took the transactional id over. The timer then waits for a batch of
     * this one to commit: starting a producer again would fence the other capture, which would fence
     * this one back, and so on.
     */
    private boolean fenced;
    private volatile boolean closed;
    private final LogEncoding encoding;

    /**
     * @param interval zero writes no watermarks
     * @param encoding the log's format: a watermark's JSON framed as its records are
     */
    WatermarkPublisher(TransactionalLog kafka, TopicProvisioner provisioner, Duration interval, LogEncoding encoding) {
        this.kafka = kafka;
        this.encoding = encoding;
        this.provisioner = provisioner;
        this.intervalNanos = interval.toNanos();
        this.timer = interval.isZero() ? null : new Thread(this::runTimer, "replog-watermarks");
        if (timer != null) {
            timer.setDaemon(true);
        }
    }

    /** Starts the timer that writes a due watermark when no batch comes. */
    void start() {
        if (timer != null) {
            timer.start();
        }
    }

    private void runTimer() {
        // Checks often (cheap when nothing is due): a watermark is at most a quarter interval (or 1 s) late.
        long every = Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(intervalNanos) / 4));
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(every);
                tick();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** A transaction END, with its commit LSN and time, was sent in the open batch. */
    void ended(Lsn commitLsn, Instant commitTime) {
        if (inBatch == null || commitLsn.isAfter(inBatch)) {
            inBatch = commitLsn;
            inBatchTime = commitTime;
        }
    }

    /** At the end of a batch, after every record of it: sends a watermark if one is due. */
    void appendIfDue(List<Future<RecordMetadata>> sends) {
        boolean batchMoved = inBatch != null && (committed == null || inBatch.isAfter(committed));
        Lsn w = batchMoved ? inBatch : committed;
        Instant at = batchMoved ? inBatchTime : committedTime;
        if (isDue(w)) {
            broadcast(w, at, sends);
            writtenInBatch = w;
        }
    }

    /** The open batch's Kafka transaction committed: its ENDs and its watermark are in the log. */
    void batchCommitted() {
        if (inBatch != null && (committed == null || inBatch.isAfter(committed))) {
            committed = inBatch;
            committedTime = inBatchTime;
        }
        if (writtenInBatch != null) {
            written = writtenInBatch;
            writtenAt = System.nanoTime();
            if (failing) {
                failing = false;
                log.info("watermarks written again, at LSN {}", written);
            }
        }
        fenced = false;
        forgetBatch();
    }

    /** The open batch was abandoned: nothing of it is in the log. */
    void batchAbandoned() {
        forgetBatch();
        recheckTopics = true;
    }

    private void forgetBatch() {
        inBatch = null;
        inBatchTime = null;
        writtenInBatch = null;
    }

    private boolean isDue(Lsn w) {
        return timer != null && w != null && (written == null
                || (w.isAfter(written) && System.nanoTime() - writtenAt >= intervalNanos));
    }

    /**
     * Writes a due watermark in a Kafka transaction of its own. A failure abandons it (the next tick
     * tries again) and is logged once per outage: capture's own loop deals with the outage.
     */
    private void tick() throws InterruptedException {
        synchronized (kafka) {
            if (closed || fenced || !isDue(committed)) {
                return;
            }
            try {
                kafka.begin();
                List<Future<RecordMetadata>> sends = new ArrayList<>();
                broadcast(committed, committedTime, sends);
                for (Future<RecordMetadata> f : sends) {
                    f.get();
                }
                kafka.commit();
                written = committed;
                writtenAt = System.nanoTime();
                if (failing) {
                    failing = false;
                    log.info("watermarks written again, at LSN {}", written);
                }
            } catch (InterruptedException e) {
                kafka.abandon();
                throw e; // closing
            } catch (ExecutionException | RuntimeException e) {
                kafka.abandon();
                recheckTopics = true;
                if (isFencing(e)) {
                    fenced = true;
                    log.warn("another capture took over the transactional id of this log: no watermarks from this one "
                            + "until it publishes a batch again");
                } else if (!failing && !Thread.currentThread().isInterrupted()) {
                    failing = true;
                    log.warn("cannot write the watermark at LSN {}: {}; retried until it succeeds (not logged again)",
                            committed, e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                }
            }
        }
    }

    private static boolean isFencing(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ProducerFencedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * In the open batch, where a copy of a table begins: a watermark, with header {@link LogHeaders#COPY},
     * into every partition of the table's topic. It names the last END sent so far (in this batch or a
     * committed one), so it is a true watermark, and every reader that passes watermarks passes it.
     *
     * @return the sends, one per partition, in partition order
     */
    List<Future<RecordMetadata>> markCopyStart(String topic, int partitions, String copyId) {
        boolean batchMoved = inBatch != null && (committed == null || inBatch.isAfter(committed));
        Lsn w = batchMoved ? inBatch : committed;
        Instant at = batchMoved ? inBatchTime : committedTime;
        RecordHeaders headers = headers(w == null ? Lsn.ZERO : w);
        headers.add(LogHeaders.COPY, copyId.getBytes(StandardCharsets.UTF_8));
        byte[] value = encoding.own(WatermarkFormat.write(w == null ? Lsn.ZERO : w, at == null ? Instant.EPOCH : at));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            sends.add(kafka.send(new ProducerRecord<>(topic, p, (byte[]) null, value, headers)));
        }
        return sends;
    }

    private RecordHeaders headers(Lsn w) {
        byte[] lsn = w.toString().getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add(LogHeaders.FORMAT, encoding.format().header().getBytes(StandardCharsets.UTF_8));
        headers.add(LogHeaders.LSN, lsn);
        headers.add(LogHeaders.WATERMARK, lsn);
        return headers;
    }

    private void broadcast(Lsn w, Instant commitTime, List<Future<RecordMetadata>> sends) {
        if (recheckTopics) {
            provisioner.forgetDeletedTableTopics();
            recheckTopics = false;
        }
        byte[] value = encoding.own(WatermarkFormat.write(w, commitTime));
        RecordHeaders headers = headers(w);
        for (Map.Entry<String, Integer> topic : provisioner.tableTopics().entrySet()) {
            for (int p = 0; p < topic.getValue(); p++) {
                sends.add(kafka.send(new ProducerRecord<>(topic.getKey(), p, (byte[]) null, value, headers)));
            }
        }
    }

    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        closed = true; // the timer may be waiting for a batch to release the log: it then writes nothing
        timer.interrupt();
        try {
            timer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
