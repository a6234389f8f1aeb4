package dev.replog.applier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/** Registers an applier's counters as a platform MBean for as long as it runs. */
final class ApplierMetrics implements ApplierMetricsMBean, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApplierMetrics.class);

    private final LongSupplier applied;
    private final LongSupplier deadLettered;
    private ObjectName name;

    ApplierMetrics(String groupId, LongSupplier applied, LongSupplier deadLettered) {
        this.applied = applied;
        this.deadLettered = deadLettered;
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName n = ObjectName.getInstance("dev.replog:type=Applier,group=" + ObjectName.quote(groupId));
            server.registerMBean(this, n);
            name = n;
        } catch (JMException e) {
            // Metrics are a convenience: a second applier of the same group in one JVM goes without.
            log.warn("applier metrics for group {} not registered over JMX: {}", groupId, e.getMessage());
        }
    }

    @Override
    public long getAppliedCount() {
        return applied.getAsLong();
    }

    @Override
    public long getDeadLetteredCount() {
        return deadLettered.getAsLong();
    }

    @Override
    public void close() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                log.warn("cannot unregister applier metrics {}: {}", name, e.getMessage());
            }
        }
    }
}
