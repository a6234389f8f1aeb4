package dev.replog.bench;

import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fallback TPC-B driver builds pgbench's tables (history with a key) and runs transactions. */
class JavaTpcbTest {

    @Test
    void initializesScaleOneAndRunsTransactionsThatBalance() throws Exception {
        BenchDatabase db = BenchDatabase.create(TestServers.get().leader(), "bench_java_tpcb");
        try {
            JavaTpcb driver = new JavaTpcb("test");
            driver.initialize(db, 1);
            assertEquals(100_000, db.queryLong("SELECT count(*) FROM \"pgbench_accounts\""));
            assertEquals(10, db.queryLong("SELECT count(*) FROM \"pgbench_tellers\""));

            double tps = driver.run(db, 2, Duration.ofSeconds(2), 0);

            long transactions = db.queryLong("SELECT count(*) FROM \"pgbench_history\"");
            assertTrue(tps > 0 && transactions > 0, "tps " + tps + ", history rows " + transactions);
            // Each transaction adds the same delta to one account, one teller and one branch.
            assertEquals(db.queryLong("SELECT sum(\"delta\") FROM \"pgbench_history\""),
                    db.queryLong("SELECT sum(\"bbalance\") FROM \"pgbench_branches\""));
            assertEquals(transactions, db.queryLong("SELECT count(DISTINCT \"hid\") FROM \"pgbench_history\""));
        } finally {
            db.drop();
        }
    }
}
