package dev.replog.bench;

/** The two things compared: PostgreSQL's built-in publication/subscription, and Replog through Kafka. */
enum ReplicationKind {
    NATIVE("native"),
    REPLOG("replog");

    private final String label;

    ReplicationKind(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
