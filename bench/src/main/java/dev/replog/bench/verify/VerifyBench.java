package dev.replog.bench.verify;

import dev.replog.applier.verify.TableComparison;
import dev.replog.applier.verify.TableVerification;
import dev.replog.applier.verify.Verifier;
import dev.replog.applier.verify.VerifyOptions;
import dev.replog.bench.ResultFile;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code replog bench --only verify}: how fast {@code replog verify} compares a table on a leader and
 * a follower PostgreSQL of their own (the same rows loaded into both), at the default chunk size and
 * parallelism, and how long finding and repairing some corrupted follower rows takes. No applier
 * runs, so the figures are the cost of the comparison itself (both databases' work), not of waiting
 * for a follower; written to {@code <out>/<stamp>-verify.txt}.
 */
public final class VerifyBench {

    private static final String DATABASE = "verifybench";
    private static final TableId TABLE = new TableId("public", "items");

    private VerifyBench() {
    }

    /**
     * @param rows    rows of the compared table
     * @param corrupt rows corrupted on the follower before the repair run (a third each changed, deleted, added)
     * @return true if every run found what it should
     */
    public static boolean run(long rows, int corrupt, Path out, PrintStream console) throws Exception {
        Path dir = Files.createTempDirectory("replog-verify-bench-");
        console.println("verify: starting a leader and a follower PostgreSQL in " + dir + " and loading " + rows + " rows into each ...");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream report = new PrintStream(text, true, StandardCharsets.UTF_8);
        boolean passed;
        try (PostgresServer leader = PostgresServer.start("leader", dir); PostgresServer follower = PostgresServer.start("follower", dir)) {
            for (PostgresServer s : new PostgresServer[] {leader, follower}) {
                s.createDatabase(DATABASE);
                Sql.execute(s.jdbcUrl(DATABASE),
                        "CREATE TABLE items (id bigint PRIMARY KEY, label text NOT NULL, amount numeric(12,2), at timestamptz)",
                        "INSERT INTO items SELECT g, md5(g::text), g / 100.0, timestamptz '2026-01-01' + g * interval '1 second' "
                                + "FROM generate_series(1, " + rows + ") g",
                        "VACUUM ANALYZE items");
            }
            VerifyOptions plain = new VerifyOptions(TableComparison.DEFAULT_CHUNK_ROWS, VerifyOptions.DEFAULT_PARALLELISM,
                    VerifyOptions.DEFAULT_RECHECK, false);
            report.printf("verify bench: table of %,d rows (bigint key, text, numeric, timestamptz), chunks of %,d rows, parallelism %d%n",
                    rows, plain.chunkRows(), plain.parallelism());
            Timed equal = timed(leader, follower, plain);
            passed = equal.result().verdict() == TableVerification.Verdict.MATCH;
            report.printf("  equal tables:   %s in %.2f s, %,.0f rows/s (rows of both databases compared)%n",
                    equal.result().verdict(), equal.seconds(), rows / equal.seconds());

            long third = Math.max(1, corrupt / 3);
            long step = Math.max(1, rows / (3 * third + 1));
            Sql.execute(follower.jdbcUrl(DATABASE),
                    "UPDATE items SET label = 'corrupted' WHERE id IN (SELECT g * " + step + " FROM generate_series(1, " + third + ") g)",
                    "DELETE FROM items WHERE id IN (SELECT g * " + step + " + 1 FROM generate_series(1, " + third + ") g)",
                    "INSERT INTO items SELECT " + rows + " + g, 'extra', 0, now() FROM generate_series(1, " + third + ") g");
            Timed repaired = timed(leader, follower, new VerifyOptions(plain.chunkRows(), plain.parallelism(), plain.recheck(), true));
            TableVerification r = repaired.result();
            report.printf("  %d rows corrupted (%d changed, %d missing, %d extra): %s, found %d changed, %d missing, %d extra; "
                            + "repaired %d inserted, %d updated, %d deleted in %.2f s, %,.0f rows/s%n",
                    3 * third, third, third, third, r.verdict(), r.changed(), r.missing(), r.extra(), r.repaired().inserted(),
                    r.repaired().updated(), r.repaired().deleted(), repaired.seconds(), rows / repaired.seconds());
            if (r.repairProblem() != null) {
                report.println("  repair failed: " + r.repairProblem());
            }
            passed &= r.verdict() == TableVerification.Verdict.REPAIRED && r.changed() == third && r.missing() == third
                    && r.extra() == third;
            Timed after = timed(leader, follower, plain);
            report.printf("  after repair:   %s in %.2f s%n", after.result().verdict(), after.seconds());
            passed &= after.result().verdict() == TableVerification.Verdict.MATCH;
        } finally {
            Files.deleteIfExists(dir); // the servers removed their own directories in it
        }
        report.println(passed ? "verify bench: PASS" : "verify bench: FAIL");
        console.print(text.toString(StandardCharsets.UTF_8));
        console.println("verify figures written to " + ResultFile.write(out, "-verify.txt", text.toByteArray()));
        return passed;
    }

    private record Timed(TableVerification result, double seconds) {
    }

    private static Timed timed(PostgresServer leader, PostgresServer follower, VerifyOptions options) throws Exception {
        try (Verifier v = new Verifier(() -> leader.connect(DATABASE), () -> follower.connect(DATABASE), options)) {
            long start = System.nanoTime();
            TableVerification r = v.verify(TABLE, n -> { });
            return new Timed(r, (System.nanoTime() - start) / 1e9);
        }
    }
}
