package dev.replog.bench;

import java.util.List;

/**
 * The things compared: PostgreSQL's built-in publication/subscription, and Replog through Kafka in
 * each of its apply modes ({@code apply.mode}).
 */
enum ReplicationKind {
    NATIVE("native", "native", null),
    /** Labelled "replog" as in every result before the transactional mode was benchmarked, all of them row mode. */
    REPLOG("replog", "replog row", "row"),
    TRANSACTIONAL("transactional", "replog tx", "transactional");

    private final String label;
    private final String column;
    private final String applyMode;

    ReplicationKind(String label, String column, String applyMode) {
        this.label = label;
        this.column = column;
        this.applyMode = applyMode;
    }

    /** The name in JSON keys, database names and progress lines. */
    String label() {
        return label;
    }

    /** The heading of its column in the printed table. */
    String column() {
        return column;
    }

    /** Replog's {@code apply.mode}; null for native replication. */
    String applyMode() {
        return applyMode;
    }

    /** Replog's kinds for {@code --apply-mode row|transactional|both}. */
    static List<ReplicationKind> replogModes(String applyMode) {
        return switch (applyMode) {
            case "row" -> List.of(REPLOG);
            case "transactional" -> List.of(TRANSACTIONAL);
            case "both" -> List.of(REPLOG, TRANSACTIONAL);
            default -> throw new IllegalArgumentException("unknown apply mode '" + applyMode + "'; one of row, transactional, both");
        };
    }
}
