package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every supported PostgreSQL type arrives on the follower exactly, edge values and NULL included. */
class TypeFidelityTest {

    private static final TableId ZOO = new TableId("public", "zoo");

    private static final String TABLE = """
            CREATE TABLE zoo (
              id int PRIMARY KEY,
              i2 smallint, i4 integer, i8 bigint,
              n numeric, n_ps numeric(38,10), f4 real, f8 double precision,
              b boolean, t text, vc varchar(12), ch char(5), by bytea, u uuid, j json, jb jsonb,
              d date, tm time, ts timestamp, tstz timestamptz, iv interval,
              ip inet, cidr_ cidr, mac macaddr,
              a_i int[], a_t text[], a_n numeric[], a_i2d int[][],
              mood_ mood, pos positive_int)""";

    private static final String ROWS = """
            INSERT INTO zoo VALUES
            (1, -32768, -2147483648, -9223372036854775808,
             123456789012345678901234567890.123456789, 1234567890123456789012345678.0123456789, 3.4028235e38, -1.7976931348623157e308,
             true, '', 'twelve chars', 'ab', '\\x', '00000000-0000-0000-0000-000000000000', '{"b":1,  "a":[1,2]}', '{"b":1,"a":[1,2]}',
             '0001-01-01', '00:00:00', '0001-01-01 00:00:00', '1970-01-01 00:00:00.000001+00', '1 year 2 months 3 days 04:05:06.789012',
             '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
             '{}', '{}', '{}', '{{1,2},{3,4}}',
             'sad', 1),
            (2, 32767, 2147483647, 9223372036854775807,
             'NaN', -0.0000000001, 'NaN', '-Infinity',
             false, 'unicode 🚀 𝄞 ünï', 'x', 'abcde', '\\x00ff7f80', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[]', '{}',
             '2999-12-31', '23:59:59.999999', '2999-12-31 23:59:59.999999', '2023-06-01 12:34:56.789012+05:30', '-1 days -00:00:01',
             '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff',
             '{1,NULL,3}', '{"a,b","c\\"d",NULL,""}', '{1.5,-2.25,0}', '{{NULL,2},{3,4}}',
             'happy', 2147483647),
            (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (4, 0, 0, 0, 0, 0, 'Infinity', '-0', true, 'x', '', ' ', '\\x00', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', 'null',
             '1999-01-08', '24:00:00', '1999-01-08 04:05:06', 'infinity', '0',
             '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', '{-2147483648}', '{"🚀"}', '{NaN}', '{{1}}', 'ok', 0)""";

    @Test
    void everySupportedTypeArrivesExactlyWithEdgeValuesAndNull() throws Exception {
        try (Replication r = new Replication("types", 1, List.of(ZOO))) {
            r.leader("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS int CHECK (VALUE >= 0)");
            Sql.execute(r.followerUrl(), "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS int CHECK (VALUE >= 0)");
            r.leader(TABLE, ROWS.replace("(1,", "(101,").replace("(2,", "(102,").replace("(3,", "(103,").replace("(4,", "(104,"));
            r.startApplier();
            r.startCapture();
            r.leader(ROWS);
            r.leader("UPDATE zoo SET t = t || '!' WHERE id IN (1, 2, 101)");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "public.zoo", "id"), TableContents.of(r.followerUrl(), "public.zoo", "id"));
        }
    }
}
