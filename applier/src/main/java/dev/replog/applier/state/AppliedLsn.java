package dev.replog.applier.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The follower's answer to "have you applied leader LSN L?", in either apply mode, as SQL functions
 * readers call: {@code replog.applied_lsn()}, an LSN such that every leader transaction committed at
 * or before it is on the follower (null until one is known), and {@code replog.wait_for_lsn(token,
 * timeout)}, which waits until it reaches a token. In transactional mode it is the watermark
 * ({@link WatermarkStore}); in row mode the lowest of every partition's last watermark of capture's
 * (column {@code watermark_lsn} of {@code replog.positions}), null while any partition known to the
 * follower (positioned or claimed) has none: each partition is applied on its own.
 */
public final class AppliedLsn {

    private AppliedLsn() {
    }

    /** After the tables the functions read: positions, watermark, partition owners and follower. */
    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            // ORDER BY ... LIMIT 1 rather than min(): min(pg_lsn) exists only from PostgreSQL 13 on.
            s.execute("""
                    CREATE OR REPLACE FUNCTION replog.applied_lsn() RETURNS pg_lsn LANGUAGE sql STABLE AS $$
                        WITH known AS (
                            SELECT p.watermark_lsn
                            FROM replog.partition_owners o FULL JOIN replog.positions p USING (topic, partition))
                        SELECT CASE (SELECT mode FROM replog.follower)
                            WHEN 'transactional' THEN (SELECT commit_lsn FROM replog.watermark)
                            WHEN 'row' THEN CASE WHEN NOT EXISTS (SELECT 1 FROM known WHERE watermark_lsn IS NULL)
                                                 THEN (SELECT watermark_lsn FROM known ORDER BY 1 LIMIT 1) END
                        END $$""");
            // Polls rather than listens: a NOTIFY would fire per transaction on every follower.
            s.execute("""
                    CREATE OR REPLACE FUNCTION replog.wait_for_lsn(token pg_lsn, timeout interval DEFAULT '10 seconds')
                    RETURNS boolean LANGUAGE plpgsql AS $$
                    DECLARE
                        deadline timestamptz := clock_timestamp() + timeout;
                    BEGIN
                        LOOP
                            IF replog.applied_lsn() >= token THEN
                                RETURN true;
                            END IF;
                            IF clock_timestamp() >= deadline THEN
                                RETURN false;
                            END IF;
                            PERFORM pg_sleep(0.005);
                        END LOOP;
                    END $$""");
        }
    }
}
