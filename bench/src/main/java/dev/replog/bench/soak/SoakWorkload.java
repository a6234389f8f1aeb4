package dev.replog.bench.soak;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * An OLTP mix over five tables, run by several concurrent clients: money transfers between
 * {@code accounts} that charge a fee into {@code ledger} (so {@code sum(balance) + sum(amount)}
 * never changes: a follower state that breaks it never existed on the leader), item updates that
 * log an {@code events} row in the same transaction, new and deleted items, and customer upserts.
 * {@code items} is filled before capture starts, so it arrives through the initial snapshot.
 * Deadlocks between clients are retried, as an application would.
 */
public final class SoakWorkload {

    public static final List<TableId> TABLES = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"),
            new TableId("public", "items"), new TableId("public", "events"), new TableId("public", "customers"));
    static final long OPENING_BALANCE = 1000;

    private final int accounts;
    private final long items;

    public SoakWorkload(int accounts, long items) {
        this.accounts = accounts;
        this.items = items;
    }

    /** Creates the five tables on the leader, {@code items} filled with its snapshot rows. */
    public void create(String jdbcUrl) {
        Sql.execute(jdbcUrl,
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL, note text)",
                "CREATE TABLE items (id bigint PRIMARY KEY, sku text NOT NULL, qty int NOT NULL, price numeric(12,2), "
                        + "payload text, updated_at timestamptz NOT NULL DEFAULT now())",
                "CREATE TABLE events (id bigserial PRIMARY KEY, item bigint NOT NULL, kind text NOT NULL, "
                        + "at timestamptz NOT NULL DEFAULT now(), body jsonb)",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, tier text, since date)",
                "INSERT INTO accounts SELECT g, " + OPENING_BALANCE + " FROM generate_series(1, " + accounts + ") g",
                "INSERT INTO items (id, sku, qty, price, payload) SELECT g, 'sku-' || g, g % 100, (g % 10000) / 100.0, "
                        + "repeat(md5(g::text), 4) FROM generate_series(1, " + items + ") g");
    }

    /** One statement for the invariant sampler: NULL until every account is on the follower. */
    public String invariantCheck() {
        return "WITH a AS (SELECT count(*) AS n, coalesce(sum(balance), 0) AS total FROM accounts), "
                + "l AS (SELECT coalesce(sum(amount), 0) AS total FROM ledger) "
                + "SELECT CASE WHEN a.n < " + accounts + " THEN NULL ELSE a.total + l.total = " + (accounts * OPENING_BALANCE)
                + " END, 'accounts ' || a.total || ' + ledger ' || l.total || ' over ' || a.n || ' accounts' FROM a, l";
    }

    /**
     * One client: transactions until {@code running} turns false, at most {@code perSecond} a second.
     *
     * @return the transactions committed
     */
    public long client(Connection c, Random random, BooleanSupplier running, int perSecond) throws SQLException {
        c.setAutoCommit(false);
        long started = System.nanoTime();
        long committed = 0;
        try (Statements s = new Statements(c)) {
            while (running.getAsBoolean()) {
                int kind = random.nextInt(100);
                long seed = random.nextLong();
                while (true) {
                    try {
                        transaction(s, kind, new Random(seed));
                        c.commit();
                        break;
                    } catch (SQLException e) {
                        c.rollback();
                        if (!"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                            throw e;
                        }
                    }
                }
                committed++;
                long early = started + committed * 1_000_000_000L / perSecond - System.nanoTime();
                if (early > 0) {
                    LockSupport.parkNanos(early);
                }
            }
        }
        return committed;
    }

    private void transaction(Statements s, int kind, Random r) throws SQLException {
        if (kind < 40) {
            transfer(s, r);
        } else if (kind < 70) {
            long item = 1 + (long) (r.nextDouble() * items);
            s.updateItem.setInt(1, r.nextInt(1000));
            s.updateItem.setString(2, Long.toHexString(r.nextLong()));
            s.updateItem.setLong(3, item);
            s.updateItem.executeUpdate();
            event(s, item, "update", r);
        } else if (kind < 85) {
            s.newItem.setString(1, "new-" + Long.toHexString(r.nextLong()));
            s.newItem.setInt(2, r.nextInt(100));
            try (ResultSet created = s.newItem.executeQuery()) {
                if (created.next()) { // another client may have taken the id: nothing created then
                    event(s, created.getLong(1), "create", r);
                }
            }
        } else if (kind < 95) {
            s.upsertCustomer.setInt(1, 1 + r.nextInt(5000));
            s.upsertCustomer.setString(2, "customer " + r.nextInt(1_000_000));
            s.upsertCustomer.setString(3, List.of("gold", "silver", "bronze").get(r.nextInt(3)));
            s.upsertCustomer.executeUpdate();
        } else {
            s.deleteItem.setLong(1, 1 + (long) (r.nextDouble() * items));
            s.deleteItem.executeUpdate();
        }
    }

    /** Locks the two accounts in id order, so that concurrent transfers rarely deadlock. */
    private void transfer(Statements s, Random r) throws SQLException {
        int from = 1 + r.nextInt(accounts);
        int to = 1 + r.nextInt(accounts);
        long amount = 1 + r.nextInt(20);
        long charge = 1 + r.nextInt(3);
        if (from <= to) {
            move(s, from, -(amount + charge));
            move(s, to, amount);
        } else {
            move(s, to, amount);
            move(s, from, -(amount + charge));
        }
        s.fee.setInt(1, from);
        s.fee.setLong(2, charge);
        s.fee.executeUpdate();
        if (r.nextInt(10) == 0) {
            s.refund.executeUpdate();
        }
    }

    private static void move(Statements s, int account, long delta) throws SQLException {
        s.move.setLong(1, delta);
        s.move.setInt(2, account);
        s.move.executeUpdate();
    }

    private static void event(Statements s, long item, String kind, Random r) throws SQLException {
        s.event.setLong(1, item);
        s.event.setString(2, kind);
        s.event.setString(3, "{\"by\": " + r.nextInt(100) + ", \"note\": \"" + Long.toHexString(r.nextLong()) + "\"}");
        s.event.executeUpdate();
    }

    private static final class Statements implements AutoCloseable {
        final PreparedStatement move;
        final PreparedStatement fee;
        final PreparedStatement refund;
        final PreparedStatement updateItem;
        final PreparedStatement newItem;
        final PreparedStatement deleteItem;
        final PreparedStatement event;
        final PreparedStatement upsertCustomer;

        Statements(Connection c) throws SQLException {
            move = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?");
            fee = c.prepareStatement("INSERT INTO ledger (account, amount, note) VALUES (?, ?, 'fee')");
            refund = c.prepareStatement("WITH d AS (DELETE FROM ledger WHERE id = (SELECT min(id) FROM ledger) "
                    + "RETURNING account, amount) UPDATE accounts SET balance = balance + d.amount FROM d WHERE accounts.id = d.account");
            updateItem = c.prepareStatement("UPDATE items SET qty = ?, payload = ?, updated_at = now() WHERE id = ?");
            newItem = c.prepareStatement("INSERT INTO items (id, sku, qty, price) SELECT coalesce(max(id), 0) + 1 + "
                    + "(random() * 1000)::int, ?, ?, 1.00 FROM items ON CONFLICT (id) DO NOTHING RETURNING id");
            deleteItem = c.prepareStatement("DELETE FROM items WHERE id = ?");
            event = c.prepareStatement("INSERT INTO events (item, kind, body) VALUES (?, ?, ?::jsonb)");
            upsertCustomer = c.prepareStatement("INSERT INTO customers (id, name, tier, since) VALUES (?, ?, ?, current_date) "
                    + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, tier = EXCLUDED.tier");
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement p : List.of(move, fee, refund, updateItem, newItem, deleteItem, event, upsertCustomer)) {
                p.close();
            }
        }
    }
}
