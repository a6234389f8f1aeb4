package dev.replog.applier;

/** What a running applier exposes over JMX, as {@code dev.replog:type=Applier,group=<group id>}. */
public interface ApplierMetricsMBean {

    /** Events applied since start. */
    long getAppliedCount();

    /** Poison events sent to the dead-letter topic since start (skipped, or a table stopped at). */
    long getDeadLetteredCount();
}
