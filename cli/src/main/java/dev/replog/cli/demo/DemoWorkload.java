package dev.replog.cli.demo;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's leader workload: a small shop with customers, their orders and the orders' lines
 * (a composite primary key). Transactions insert, update and delete across the tables, including
 * primary-key updates, so every kind of change travels through the pipeline.
 */
public final class DemoWorkload {

    public static final List<TableId> TABLES = List.of(
            new TableId("shop", "customers"), new TableId("shop", "orders"), new TableId("shop", "order_lines"));

    private final SplittableRandom random;
    private final AtomicLong commits = new AtomicLong();
    private long nextCustomer = 1;
    private long nextOrder = 1;
    private volatile Lsn lastChangeFloor = Lsn.ZERO;

    public DemoWorkload(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Creates the tables and a first set of rows (read by capture's initial snapshot). */
    public void prepare(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA shop");
            s.execute("""
                    CREATE TABLE shop.customers (
                        id bigint PRIMARY KEY, name text NOT NULL, email varchar(120),
                        balance numeric(12,2) NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())""");
            s.execute("""
                    CREATE TABLE shop.orders (
                        id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customers(id),
                        status text NOT NULL, total numeric(12,2) NOT NULL, note text, placed_at timestamp NOT NULL)""");
            s.execute("""
                    CREATE TABLE shop.order_lines (
                        order_id bigint REFERENCES shop.orders(id) ON DELETE CASCADE, line_no int,
                        sku uuid NOT NULL, quantity int NOT NULL, price numeric(10,2) NOT NULL,
                        PRIMARY KEY (order_id, line_no))""");
        }
        c.setAutoCommit(false);
        for (int i = 0; i < 200; i++) {
            insertCustomer(c);
        }
        c.commit();
    }

    /** Runs random transactions on the leader for the given time. */
    public void run(Connection c, Duration duration) throws SQLException {
        c.setAutoCommit(false);
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            oneTransaction(c);
        }
        // The last change of the run comes after this WAL position, so once capture has published
        // an event at or beyond it, it has published the whole run.
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            lastChangeFloor = Lsn.parse(rs.getString(1));
        }
        insertCustomer(c);
        c.commit();
        commits.incrementAndGet();
    }

    private void oneTransaction(Connection c) throws SQLException {
        int kind = random.nextInt(100);
        if (kind < 45) {
            placeOrder(c);
        } else if (kind < 65) {
            insertCustomer(c);
        } else if (kind < 85) {
            exec(c, "UPDATE shop.customers SET balance = balance + ?, updated_at = now() WHERE id = ?",
                    random.nextLong(-500, 500), random.nextLong(1, nextCustomer));
        } else if (kind < 92) {
            exec(c, "UPDATE shop.orders SET status = 'shipped', note = NULL WHERE id = ?", random.nextLong(1, nextOrder + 1));
        } else if (kind < 97) {
            exec(c, "DELETE FROM shop.orders WHERE id = ?", random.nextLong(1, nextOrder + 1));
        } else {
            // A primary-key update: the follower must drop the old key and hold the new one.
            exec(c, "UPDATE shop.order_lines SET line_no = line_no + 100 WHERE order_id = ? AND line_no < 100",
                    random.nextLong(1, nextOrder + 1));
        }
        c.commit();
        commits.incrementAndGet();
    }

    private void insertCustomer(Connection c) throws SQLException {
        long id = nextCustomer++;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop.customers (id, name, email, balance) VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, "Customer " + id + (id % 7 == 0 ? " Ünïcødé 🚀" : ""));
            ps.setString(3, id % 5 == 0 ? null : "c" + id + "@example.com");
            ps.setBigDecimal(4, java.math.BigDecimal.valueOf(random.nextLong(0, 100_000), 2));
            ps.executeUpdate();
        }
    }

    private void placeOrder(Connection c) throws SQLException {
        long id = nextOrder++;
        int lines = random.nextInt(1, 5);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop.orders (id, customer_id, status, total, note, placed_at) VALUES (?, ?, 'new', 0, ?, now())")) {
            ps.setLong(1, id);
            ps.setLong(2, random.nextLong(1, nextCustomer));
            ps.setString(3, random.nextBoolean() ? null : "gift wrap, \"fragile\"");
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop.order_lines (order_id, line_no, sku, quantity, price) VALUES (?, ?, gen_random_uuid(), ?, ?)")) {
            for (int line = 1; line <= lines; line++) {
                ps.setLong(1, id);
                ps.setInt(2, line);
                ps.setInt(3, random.nextInt(1, 10));
                ps.setBigDecimal(4, java.math.BigDecimal.valueOf(random.nextLong(100, 50_000), 2));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        exec(c, "UPDATE shop.orders SET total = (SELECT sum(quantity * price) FROM shop.order_lines WHERE order_id = ?) WHERE id = ?", id, id);
    }

    private static void exec(Connection c, String sql, long... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setLong(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    public long commits() {
        return commits.get();
    }

    public Lsn lastChangeFloor() {
        return lastChangeFloor;
    }
}
