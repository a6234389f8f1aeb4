package dev.replog.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one service (capture, apply or serve) and what measures them: a Prometheus registry
 * with the JVM's and the process's meters, every meter tagged {@code service}, and one thread for
 * the figures that are read from elsewhere (a slot's retained WAL, a follower's lag) every
 * {@link #samplePeriod()} rather than per event or per scrape. One service instance per
 * {@code ServiceMetrics}: a meter registered twice is the first one (bound to the first instance).
 */
public final class ServiceMetrics implements AutoCloseable {

    /** How often the sampled figures are measured by default. */
    public static final Duration SAMPLE_PERIOD = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ServiceMetrics.class);

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final JvmGcMetrics gc;
    private final ScheduledExecutorService sampler;
    private final Duration samplePeriod;

    private ServiceMetrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, JvmGcMetrics gc,
                           ScheduledExecutorService sampler, Duration samplePeriod) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.gc = gc;
        this.sampler = sampler;
        this.samplePeriod = samplePeriod;
    }

    /** @param service {@code capture}, {@code apply} or {@code serve}: the {@code service} tag of every meter */
    public static ServiceMetrics prometheus(String service) {
        return prometheus(service, SAMPLE_PERIOD);
    }

    public static ServiceMetrics prometheus(String service, Duration samplePeriod) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().commonTags("service", service);
        new ClassLoaderMetrics().bindTo(r);
        new JvmMemoryMetrics().bindTo(r);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new JvmInfoMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "replog-" + service + "-metrics");
            t.setDaemon(true);
            return t;
        });
        return new ServiceMetrics(r, r, gc, sampler, samplePeriod);
    }

    /**
     * Meters nobody reads and samples never taken: for a service started without an endpoint (tests,
     * the demo), so that it does no measuring work for nothing.
     */
    public static ServiceMetrics none() {
        return new ServiceMetrics(new CompositeMeterRegistry(), null, null, null, SAMPLE_PERIOD);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public Duration samplePeriod() {
        return samplePeriod;
    }

    /**
     * Runs a measurement now and then every {@link #samplePeriod()} on this service's sampling
     * thread, until closed. A measurement that fails is logged once (WARN), and once more when it
     * works again (INFO); {@link Sample#health()} says which it is.
     *
     * @param what what is measured, for logs and health, e.g. {@code "the slot on the leader"}
     */
    public Sample every(String what, Sample.Task task) {
        Sample s = new Sample(what, task, samplePeriod);
        if (sampler != null) {
            sampler.scheduleWithFixedDelay(s::run, 0, samplePeriod.toMillis(), TimeUnit.MILLISECONDS);
        }
        return s;
    }

    /** Every meter in Prometheus' text format; empty for {@link #none()}. */
    String scrape() {
        return prometheus == null ? "" : prometheus.scrape();
    }

    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
            try {
                if (!sampler.awaitTermination(15, TimeUnit.SECONDS)) {
                    log.warn("a metrics sample did not end within 15 s of stopping");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (gc != null) {
            gc.close();
        }
        registry.close();
    }
}
