package dev.replog.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A leader workload whose every committed state satisfies one cross-table invariant: money moves
 * between rows of {@code accounts}, and each move charges a fee into a new {@code ledger} row (which
 * is later refunded and deleted), so {@code sum(accounts.balance) + sum(ledger.amount)} never
 * changes. A follower state violating it never existed on the leader.
 */
public final class BankWorkload {

    public static final long OPENING_BALANCE = 1000;

    private final int accounts;

    public BankWorkload(int accounts) {
        this.accounts = accounts;
    }

    /** Creates both tables with every account opened, in the current database of {@code jdbcUrl}. */
    public void create(String jdbcUrl) {
        Sql.execute(jdbcUrl,
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL, note text)",
                "INSERT INTO accounts SELECT g, " + OPENING_BALANCE + " FROM generate_series(1, " + accounts + ") g");
    }

    /**
     * One statement for {@link InvariantSampler}: NULL until every account is on the follower, then
     * whether the money adds up, with the sums as detail.
     */
    public String invariantCheck() {
        return "WITH a AS (SELECT count(*) AS n, coalesce(sum(balance), 0) AS total FROM accounts), "
                + "l AS (SELECT coalesce(sum(amount), 0) AS total FROM ledger) "
                + "SELECT CASE WHEN a.n < " + accounts + " THEN NULL ELSE a.total + l.total = " + (accounts * OPENING_BALANCE)
                + " END, 'accounts ' || a.total || ' + ledger ' || l.total || ' over ' || a.n || ' accounts' FROM a, l";
    }

    /**
     * Runs transfers, one leader transaction each, until {@code running} turns false.
     *
     * @return the number of committed transactions
     */
    public long run(Connection c, Random random, BooleanSupplier running) throws SQLException {
        return run(c, random, running, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #run(Connection, Random, BooleanSupplier)}, at most {@code perSecond} transactions a
     * second: a fault-injection run must catch up within its time limit on a 2-core machine.
     */
    public long run(Connection c, Random random, BooleanSupplier running, int perSecond) throws SQLException {
        c.setAutoCommit(false);
        long started = System.nanoTime();
        long committed = 0;
        try (PreparedStatement debit = c.prepareStatement("UPDATE accounts SET balance = balance - ? WHERE id = ?");
             PreparedStatement credit = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
             PreparedStatement fee = c.prepareStatement("INSERT INTO ledger (account, amount, note) VALUES (?, ?, 'fee')");
             PreparedStatement refund = c.prepareStatement(
                     "WITH d AS (DELETE FROM ledger WHERE id = (SELECT min(id) FROM ledger) RETURNING account, amount) "
                             + "UPDATE accounts SET balance = balance + d.amount FROM d WHERE accounts.id = d.account")) {
            while (running.getAsBoolean()) {
                int from = 1 + random.nextInt(accounts);
                int to = 1 + random.nextInt(accounts);
                long amount = 1 + random.nextInt(20);
                long charge = 1 + random.nextInt(3);
                debit.setLong(1, amount + charge);
                debit.setInt(2, from);
                debit.executeUpdate();
                credit.setLong(1, amount);
                credit.setInt(2, to);
                credit.executeUpdate();
                fee.setInt(1, from);
                fee.setLong(2, charge);
                fee.executeUpdate();
                if (random.nextInt(10) == 0) {
                    refund.executeUpdate();
                }
                c.commit();
                committed++;
                pace(started, committed, perSecond);
            }
        }
        return committed;
    }

    private static void pace(long started, long committed, int perSecond) {
        long due = started + committed * 1_000_000_000L / perSecond;
        long early = due - System.nanoTime();
        if (early > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(early);
        }
    }
}
