package dev.replog.applier.verify;

import java.time.Duration;

/**
 * How {@link Verifier} compares.
 *
 * @param chunkRows   leader rows per primary-key range
 * @param parallelism ranges compared at once (each with its own leader and follower connection)
 * @param recheck     how long a differing range may be re-checked while the follower catches up
 * @param repair      copy the leader's version of every row found different to the follower
 */
public record VerifyOptions(int chunkRows, int parallelism, Duration recheck, boolean repair) {

    public static final int DEFAULT_PARALLELISM = 4;
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(30);

    public VerifyOptions {
        if (chunkRows < 1 || parallelism < 1 || recheck.isNegative()) {
            throw new IllegalArgumentException("chunk rows and parallelism must be at least 1, the re-check time not negative: "
                    + chunkRows + ", " + parallelism + ", " + recheck);
        }
    }

    /** Most rows a differing range is narrowed over on each side: what the rows inserted into it meanwhile may add. */
    int narrowingLimit() {
        return 2 * chunkRows + 100;
    }
}
