package dev.replog.cli.config;

import java.util.List;
import java.util.Optional;

import static dev.replog.cli.config.ConfigKey.Scope.APPLY;
import static dev.replog.cli.config.ConfigKey.Scope.AWAIT;
import static dev.replog.cli.config.ConfigKey.Scope.CAPTURE;
import static dev.replog.cli.config.ConfigKey.Scope.SERVE;
import static dev.replog.cli.config.ConfigKey.Scope.STATUS;
import static dev.replog.cli.config.ConfigKey.Scope.VERIFY;
import static dev.replog.cli.config.ConfigKey.Type.HOST_PORT_LIST;
import static dev.replog.cli.config.ConfigKey.Type.INT;
import static dev.replog.cli.config.ConfigKey.Type.TABLE_LIST;
import static dev.replog.cli.config.ConfigKey.Type.LONG;
import static dev.replog.cli.config.ConfigKey.Type.STRING;

/** Every configuration key Replog reads. The one place they are declared. */
public final class ConfigKeys {

    private static final List<ConfigKey.Scope> BOTH = List.of(CAPTURE, APPLY, SERVE);
    /** The services and {@code replog status}, which reads the log's positions. */
    private static final List<ConfigKey.Scope> LOG_READERS = List.of(CAPTURE, APPLY, SERVE, STATUS);
    private static final String LISTEN_DOC = "`host:port` of %s's metrics and health endpoint (`GET /metrics`, "
            + "`/health/live`, `/health/ready`; see docs/metrics.md). The host is a loopback address or an address of this "
            + "machine (or a name resolving to one, e.g. a container's host name), never a wildcard such as `0.0.0.0`. "
            + "Port 0 picks a free port.";
    private static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final List<String> STORE_TYPES = List.of("JKS", "PKCS12", "PEM");

    public static final ConfigKey TOPICS_PREFIX = key("topics.prefix", STRING, "replog", LOG_READERS,
            "First part of every topic name: table topics are `<prefix>.<schema>.<table>`.");
    public static final ConfigKey TOPICS_PARTITIONS = key("topics.partitions", INT, "1", List.of(CAPTURE),
            "Partitions of each table topic created by capture. Every key stays in one partition; more partitions let more applier instances share the work.");
    public static final ConfigKey TOPICS_REPLICATION_FACTOR = key("topics.replication.factor", INT, "3", List.of(CAPTURE),
            "Replication factor of topics created by capture.");
    public static final ConfigKey TOPICS_RETENTION_MS = key("topics.retention.ms", LONG, "-1", List.of(CAPTURE),
            "Retention of table topics and of the transactions and heartbeat topics; -1 keeps the whole history so a follower can be rebuilt by replaying it. A finite value needs `capture.refresh.interval.ms` > 0 and at least twice it, or `topics.rebuild.from.log=false`.");
    public static final ConfigKey TOPICS_REBUILD_FROM_LOG = choice("topics.rebuild.from.log", "true", List.of(CAPTURE), List.of("true", "false"),
            "`true`: the log keeps its whole history so that `replog follower rebuild` can build a follower from it; capture refuses to start if a table topic, the transactions or the heartbeat topic has finite `retention.ms` or `retention.bytes` or is compacted, naming topic and setting. `false`: topics may lose history (e.g. `topics.retention.ms`), and a rebuild is refused instead. See docs/rebuild.md.");

    public static final ConfigKey LOG_FORMAT = choice("log.format", "json", List.of(CAPTURE), List.of("json", "compact"),
            "How capture writes the log. `json`: Kafka Connect's JSON with the schema in every record, as Debezium writes it. `compact`: each table version's schema once, in `<prefix>.schemas` (compacted), and in each record its 8-byte id and the values in binary: for a bench row about 1/18 of the bytes capture compresses and the applier decompresses, and under a third of what the broker stores; stock Kafka Connect sinks read it through `dev.replog.schemas.compact.ReplogCompactConverter` (schemas/README.md, \"Compact format\"). Appliers, rebuilds and serve read both. A log keeps the format it was created with: capture refuses to start on a log written in the other one (a new format needs a new `topics.prefix`).");
    public static final ConfigKey CAPTURE_REFRESH_INTERVAL_MS = key("capture.refresh.interval.ms", LONG, "0", List.of(CAPTURE),
            "Capture copies every captured table again (an incremental snapshot, one table at a time) once per this interval, counted from the end of its last copy, and records where each copy starts in `<prefix>.copies`, so that a follower can be rebuilt from a finite log window (`topics.retention.ms` at least twice this). 0: never (the log keeps its whole history). See docs/rebuild.md.");

    public static final ConfigKey KAFKA_BOOTSTRAP = key("kafka.bootstrap.servers", HOST_PORT_LIST, null, LOG_READERS,
            "Kafka bootstrap servers, `host:port[,host:port...]`.");
    public static final ConfigKey KAFKA_CLIENT_TIMEOUT_MS = key("kafka.client.timeout.ms", LONG, "60000", LOG_READERS,
            "How long one Kafka client call (metadata, offsets, a send waiting for room, a transaction commit) may block "
                    + "before it counts as an outage; capture and apply then wait and retry, with one WARN per attempt, for as "
                    + "long as the outage lasts. Requests time out after the smaller of this and 30000 ms. At least 1000.");
    public static final ConfigKey KAFKA_SECURITY_PROTOCOL = choice("kafka.security.protocol", "PLAINTEXT", LOG_READERS,
            List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), "How clients talk to Kafka.");
    public static final ConfigKey KAFKA_SASL_MECHANISM = key("kafka.sasl.mechanism", STRING, "", LOG_READERS,
            "SASL mechanism (e.g. `SCRAM-SHA-512`, `PLAIN`) when the protocol is SASL_*.");
    public static final ConfigKey KAFKA_SASL_JAAS = secret("kafka.sasl.jaas.config", LOG_READERS,
            "JAAS login line with the SASL credentials.");
    public static final ConfigKey KAFKA_TRUSTSTORE = key("kafka.ssl.truststore.location", STRING, "", LOG_READERS,
            "Truststore file for TLS to Kafka.");
    public static final ConfigKey KAFKA_TRUSTSTORE_PASSWORD = secret("kafka.ssl.truststore.password", LOG_READERS,
            "Password of the truststore.");
    public static final ConfigKey KAFKA_KEYSTORE = key("kafka.ssl.keystore.location", STRING, "", LOG_READERS,
            "Keystore file for TLS client authentication to Kafka.");
    public static final ConfigKey KAFKA_KEYSTORE_PASSWORD = secret("kafka.ssl.keystore.password", LOG_READERS,
            "Password of the keystore.");
    public static final ConfigKey KAFKA_KEY_PASSWORD = secret("kafka.ssl.key.password", LOG_READERS,
            "Password of the private key in the keystore (for a PEM keystore: of the encrypted key), if it has its own.");
    public static final ConfigKey KAFKA_TRUSTSTORE_TYPE = choice("kafka.ssl.truststore.type", "JKS", LOG_READERS, STORE_TYPES,
            "Format of the truststore file (`PEM`: X.509 certificates in PEM).");
    public static final ConfigKey KAFKA_KEYSTORE_TYPE = choice("kafka.ssl.keystore.type", "JKS", LOG_READERS, STORE_TYPES,
            "Format of the keystore file (`PEM`: the private key and its certificate chain in PEM).");
    public static final ConfigKey KAFKA_ENDPOINT_IDENTIFICATION = key("kafka.ssl.endpoint.identification.algorithm", STRING, "https", LOG_READERS,
            "`https`: a broker's certificate must name the host it is reached at (its subject alternative names); empty turns that check off (not recommended).");

    public static final ConfigKey LEADER_HOST = key("leader.host", STRING, null, List.of(CAPTURE),
            "Leader PostgreSQL host.");
    public static final ConfigKey LEADER_PORT = key("leader.port", INT, "5432", List.of(CAPTURE),
            "Leader PostgreSQL port.");
    public static final ConfigKey LEADER_DATABASE = key("leader.database", STRING, null, List.of(CAPTURE),
            "Leader database to capture.");
    public static final ConfigKey LEADER_USER = key("leader.user", STRING, null, List.of(CAPTURE),
            "Leader user; needs the REPLICATION attribute, SELECT on the captured tables and the right to add them to the publication (see Privileges).");
    public static final ConfigKey LEADER_PASSWORD = secret("leader.password", List.of(CAPTURE),
            "Leader user's password.");
    public static final ConfigKey LEADER_SSLMODE = choice("leader.sslmode", "prefer", List.of(CAPTURE), SSL_MODES,
            "PostgreSQL sslmode for the leader connection; `verify-full` checks the server's certificate against `leader.sslrootcert` and its host name.");
    public static final ConfigKey LEADER_SSLROOTCERT = key("leader.sslrootcert", STRING, "", List.of(CAPTURE),
            "File of the CA certificate(s) (PEM) the leader's certificate must chain to; empty: pgjdbc's default `~/.postgresql/root.crt`.");
    public static final ConfigKey LEADER_SSLCERT = key("leader.sslcert", STRING, "", List.of(CAPTURE),
            "Client certificate file (PEM) for a leader that authenticates clients by certificate (`hostssl ... cert` or `clientcert=verify-full`).");
    public static final ConfigKey LEADER_SSLKEY = key("leader.sslkey", STRING, "", List.of(CAPTURE),
            "The client certificate's private key: PKCS-8 DER (`.pk8`, encrypted or not), PEM (unencrypted), or PKCS-12 (`.p12`).");
    public static final ConfigKey LEADER_SSLPASSWORD = secret("leader.sslpassword", List.of(CAPTURE),
            "Password of an encrypted `leader.sslkey`.");

    public static final ConfigKey CAPTURE_TABLES = key("capture.tables", TABLE_LIST, null, List.of(CAPTURE),
            "Tables to replicate, `schema.table` separated by commas (case-sensitive). A name with `.`, `,` or `\"` in it is written in double quotes as in SQL (`\"My.Schema\".\"we\"\"ird\"`). `*` in an entry is a pattern (`public.*`) that also captures tables created later: the publication lists exactly the matching tables, kept current every `capture.publication.refresh.ms`. A table named exactly needs a primary key (capture refuses to start without); a matching table without one is left out with one WARN line. Read again from the config file while capture runs: a table added is copied alone, the others stream on (docs/snapshots.md).");
    public static final ConfigKey CAPTURE_SLOT = key("capture.slot.name", STRING, "replog", List.of(CAPTURE),
            "Logical replication slot on the leader (lower case); created if missing.");
    public static final ConfigKey CAPTURE_PUBLICATION = key("capture.publication.name", STRING, "replog", List.of(CAPTURE),
            "Publication on the leader, listing exactly the captured tables (never FOR ALL TABLES); created if missing, kept current by capture.");
    public static final ConfigKey CAPTURE_PUBLICATION_REFRESH_MS = key("capture.publication.refresh.ms", LONG, "5000", List.of(CAPTURE),
            "How often capture brings the publication up to date with the leader's tables: tables created (matching a pattern) or given a primary key are added and their rows copied, tables that lose it are dropped. At least 100.");
    public static final ConfigKey CAPTURE_SNAPSHOT_MODE = choice("capture.snapshot.mode", "initial", List.of(CAPTURE),
            List.of("initial", "no_data", "when_needed"),
            "`initial` copies existing rows before streaming; `no_data` streams changes only; `when_needed` snapshots again if the slot's position is gone.");
    public static final ConfigKey CAPTURE_SNAPSHOT_METHOD = choice("capture.snapshot.method", "debezium", List.of(CAPTURE),
            List.of("debezium", "copy"),
            "How the initial snapshot (`capture.snapshot.mode=initial`) reads the tables. `debezium`: Debezium's JDBC snapshot. `copy`: capture creates the slot with an exported snapshot and reads the tables with `COPY` at it, several at once (large ones in key ranges), publishing the same read events; Debezium then streams from the slot's consistent point. Needs `capture.value.encoding=exact`. A capture stopped during the copy drops the slot and copies again (docs/copy-snapshot.md).");
    public static final ConfigKey CAPTURE_HEARTBEAT_MS = key("capture.heartbeat.interval.ms", LONG, "10000", List.of(CAPTURE),
            "How often capture reports progress to Debezium's heartbeat topic.");
    public static final ConfigKey CAPTURE_WATERMARK_INTERVAL_MS = key("capture.watermark.interval.ms", LONG, "100", List.of(CAPTURE),
            "Least time between two watermarks: records capture writes into every partition of every table topic saying that every leader transaction committed at or before an LSN is in the partition before them (schemas/README.md, \"Watermark\"), written when that LSN has moved. They let a row-mode follower answer `replog.applied_lsn()` and move readers of idle partitions. 0 writes none.");
    public static final ConfigKey CAPTURE_TIMETZ_OFFSETS = choice("capture.timetz.offsets", "exact", List.of(CAPTURE),
            List.of("exact", "utc"),
            "`exact`: streamed `timetz` values keep their offset; capture creates a domain `timetz` over text in each schema holding a captured table with a `timetz` column (the leader user must be allowed to, or capture stops at start with the statement for an administrator). `utc`: capture creates nothing; streamed `timetz` values keep their instant but arrive with offset `+00` (one WARN line at start names the columns). See Supported types.");

    public static final ConfigKey CAPTURE_VALUE_ENCODING = choice("capture.value.encoding", "exact", List.of(CAPTURE),
            List.of("exact", "debezium"),
            "How `date`, `timestamp`, `timetz` and arrays of built-in types travel in the log. `exact`: as PostgreSQL's text (`dev.replog.PgText`), every value kept; a stock Kafka Connect sink makes `text` columns of them. `debezium`: in Debezium's standard logical types (`io.debezium.time.Date`, `MicroTimestamp`, `ZonedTime`, Connect arrays), which such sinks turn into typed columns, but which cannot carry some values (±infinity dates, BC dates read by the snapshot, multi-dimensional arrays, array lower bounds, NaN in numeric arrays, streamed `timetz` offsets; capture names each such column in one WARN line), and a Replog follower of that log has the same limits (docs/encoding.md). Other types are PostgreSQL's text in both.");

    public static final ConfigKey CAPTURE_HTTP_LISTEN = key("capture.http.listen", STRING, "127.0.0.1:9401", List.of(CAPTURE),
            LISTEN_DOC.formatted("capture"));

    public static final ConfigKey FOLLOWER_URL = key("follower.jdbc.url", STRING, null, List.of(APPLY),
            "Follower database, `jdbc:postgresql://host:port/database` (a password in it is never printed).");
    public static final ConfigKey FOLLOWER_USER = key("follower.user", STRING, null, List.of(APPLY),
            "Follower user; creates tables and the `replog` schema.");
    public static final ConfigKey FOLLOWER_PASSWORD = secret("follower.password", List.of(APPLY),
            "Follower user's password.");
    public static final ConfigKey FOLLOWER_SSLMODE = choice("follower.sslmode", "prefer", List.of(APPLY), SSL_MODES,
            "PostgreSQL sslmode for the follower connection; `verify-full` checks the server's certificate against `follower.sslrootcert` and its host name.");
    public static final ConfigKey FOLLOWER_SSLROOTCERT = key("follower.sslrootcert", STRING, "", List.of(APPLY),
            "File of the CA certificate(s) (PEM) the follower's certificate must chain to; empty: pgjdbc's default `~/.postgresql/root.crt`.");
    public static final ConfigKey FOLLOWER_SSLCERT = key("follower.sslcert", STRING, "", List.of(APPLY),
            "Client certificate file (PEM) for a follower that authenticates clients by certificate.");
    public static final ConfigKey FOLLOWER_SSLKEY = key("follower.sslkey", STRING, "", List.of(APPLY),
            "The client certificate's private key: PKCS-8 DER (`.pk8`, encrypted or not), PEM (unencrypted), or PKCS-12 (`.p12`).");
    public static final ConfigKey FOLLOWER_SSLPASSWORD = secret("follower.sslpassword", List.of(APPLY),
            "Password of an encrypted `follower.sslkey`.");
    public static final ConfigKey FOLLOWER_POOL_SIZE = key("follower.pool.size", INT, "4", List.of(APPLY),
            "Follower connections in the pool.");
    public static final ConfigKey APPLY_GROUP = key("apply.group.id", STRING, "replog-applier", List.of(APPLY),
            "Kafka consumer group of this follower's appliers; one group per follower (the follower records it: an applier of another group refuses to start there, and a group feeding two followers is refused).");
    public static final ConfigKey APPLY_BATCH_SIZE = key("apply.batch.size", INT, "2000", List.of(APPLY),
            "Most events applied in one follower transaction.");
    public static final ConfigKey APPLY_POLL_TIMEOUT_MS = key("apply.poll.timeout.ms", LONG, "200", List.of(APPLY),
            "How long one poll of Kafka waits for events.");
    public static final ConfigKey APPLY_FETCH_WAIT_MS = key("apply.fetch.wait.ms", LONG, "25", List.of(APPLY),
            "How long the broker may hold a fetch until 256 KiB of events are there: bigger batches cost the applier, "
                    + "the broker and the follower less CPU per event, at up to this much added lag when the log is quiet. "
                    + "0 answers every fetch at once.");
    public static final ConfigKey APPLY_BUFFER_MAX_BYTES = key("apply.buffer.max.bytes", LONG, "67108864", List.of(APPLY),
            "Bytes of fetched events an applier holds in memory, whatever the number of tables, partitions or the size of a "
                    + "transaction or snapshot: the transactional mode's queues across all partitions (a partition pauses at its "
                    + "share), and a quarter of it for Kafka's fetch buffer in both modes. At least 1048576. See Memory.");
    public static final ConfigKey APPLY_ON_ERROR = choice("apply.on.error", "stop", List.of(APPLY), List.of("stop", "skip"),
            "What an event that cannot be decoded or applied does (it always goes to the `<prefix>.dead-letter` topic first): `stop` stops its table until `replog resume`; `skip` records it in `replog.dead_letters` and goes on.");
    public static final ConfigKey APPLY_MODE = choice("apply.mode", "row", List.of(APPLY), List.of("row", "transactional"),
            "`row`: partitions applied in parallel batches, per-key order kept; the follower converges but may briefly show cross-table states the leader never had. `transactional`: every leader transaction applied atomically in commit order (consistent prefix reads, `replog.watermark`); one active applier per follower, a second one stands by. A follower keeps its mode. See Guarantees.");
    public static final ConfigKey APPLY_SCHEMA_EXPRESSIONS = choice("apply.schema.expressions", "safe", List.of(APPLY), List.of("safe", "any"),
            "Which DEFAULT, CHECK and generated-column expressions (and a domain's DEFAULT and CHECKs) of the log's schema changes the follower runs. Either way each must be one single SQL expression, which the follower parses before it runs anything of the change. `safe`: literals, columns, casts and operators of PostgreSQL's own types, the built-in functions listed under Schema changes (`now()`, `gen_random_uuid()`, `lower()`, ...) and `nextval()` of a sequence the table owns; a change with any other call is a poison event. `any`: also every other function and operator the follower has (user-defined, extensions, `pg_sleep()`, ...): only if everyone who can write to the table topics may run SQL as the follower user.");
    public static final ConfigKey APPLY_CREATE_EXTENSIONS = choice("apply.create.extensions", "false", List.of(APPLY), List.of("false", "true"),
            "What apply does when a replicated column's type comes from an extension the follower lacks (e.g. `hstore`, `citext`, `ltree`, `cube`). `false`: the table stops with the `CREATE EXTENSION` statement for an administrator to run, then `replog resume`. `true`: apply runs `CREATE EXTENSION` in the leader's schema of the type itself (the apply user must be allowed to: a trusted extension needs `CREATE` on the database). See docs/user-types.md.");

    public static final ConfigKey APPLY_HTTP_LISTEN = key("apply.http.listen", STRING, "127.0.0.1:9402", List.of(APPLY),
            LISTEN_DOC.formatted("apply"));

    public static final ConfigKey VERIFY_CHUNK_ROWS = key("verify.chunk.rows", INT, "10000", List.of(VERIFY),
            "Rows per chunk of `replog verify`: each table is compared in primary-key ranges of this many leader rows, each range's count and checksum computed inside both databases. Smaller chunks name a difference more narrowly; larger ones take fewer round trips.");

    public static final ConfigKey VERIFY_PARALLELISM = key("verify.parallelism", INT, "4", List.of(VERIFY),
            "Key ranges `replog verify` compares at once, each with its own leader and follower connection (so up to this many queries on each database).");
    public static final ConfigKey VERIFY_RECHECK_TIMEOUT_MS = key("verify.recheck.timeout.ms", LONG, "30000", List.of(VERIFY),
            "How long `replog verify` re-checks a key range that differs while the follower catches up with the leader's position of the check (see docs/verify.md) before it reports the rows still different; 0 reports differences as first found.");

    public static final ConfigKey SERVE_TABLES = key("serve.tables", TABLE_LIST, null, List.of(SERVE),
            "Tables a serve group keeps read replicas of, `schema.table` separated by commas, written as in `capture.tables` (no patterns). Each must be captured.");
    public static final ConfigKey SERVE_GROUP = key("serve.group.id", STRING, "replog-serve", List.of(SERVE),
            "Kafka Streams application id of the serve group: every instance of one group has the same id and `serve.tables`; it names the group's changelog topics.");
    public static final ConfigKey SERVE_STATE_DIR = key("serve.state.dir", STRING, "replog-serve-state", List.of(SERVE),
            "Directory of this instance's RocksDB stores (one per instance; kept across restarts, so a restarted instance restores only what it missed).");
    public static final ConfigKey SERVE_HTTP_LISTEN = key("serve.http.listen", STRING, "127.0.0.1:8080", List.of(SERVE),
            "`host:port` the HTTP API listens on. Port 0 picks a free port.");
    public static final ConfigKey SERVE_HTTP_ADVERTISED = key("serve.http.advertised", STRING, "", List.of(SERVE),
            "`host:port` other instances and clients reach this instance at; empty: the listen address with the port bound.");
    public static final ConfigKey SERVE_HTTP_THREADS = key("serve.http.threads", INT, "16", List.of(SERVE),
            "Threads answering HTTP requests (a read waiting for its `min_lsn` holds one).");
    public static final ConfigKey SERVE_STANDBYS = key("serve.standby.replicas", INT, "1", List.of(SERVE),
            "Standby copies of each store partition kept on other instances: a partition whose instance dies is served again as soon as the group notices, without restoring it from the changelog.");
    public static final ConfigKey SERVE_STREAM_THREADS = key("serve.stream.threads", INT, "1", List.of(SERVE),
            "Kafka Streams threads of this instance applying the log to its stores.");
    public static final ConfigKey SERVE_CACHE_BYTES = key("serve.rocksdb.cache.bytes", LONG, "67108864", List.of(SERVE),
            "Off-heap memory of all this instance's RocksDB stores together: one block cache, index and filter blocks and memtables included. At least 8388608. See Memory.");
    public static final ConfigKey SERVE_MEMTABLE_BYTES = key("serve.rocksdb.memtable.bytes", LONG, "16777216", List.of(SERVE),
            "Part of `serve.rocksdb.cache.bytes` memtables may take. At most half of it.");
    public static final ConfigKey SERVE_MAX_WAIT_MS = key("serve.max.wait.ms", LONG, "30000", List.of(SERVE),
            "Longest a read may wait for its `min_lsn` (`max_wait_ms` above it is lowered to it).");
    public static final ConfigKey SERVE_COMMIT_INTERVAL_MS = key("serve.commit.interval.ms", LONG, "100", List.of(SERVE),
            "How often an instance commits its stores' changes with its input offsets (exactly once): standbys see the changes after the commit.");
    public static final ConfigKey SERVE_SESSION_TIMEOUT_MS = key("serve.session.timeout.ms", LONG, "10000", List.of(SERVE),
            "How long the group waits for an instance that stopped answering before its partitions go to the others (6000 to 300000, within the broker's limits).");

    public static final ConfigKey AWAIT_FOLLOWERS = key("await.followers", STRING, null, List.of(AWAIT),
            "Followers `replog await` counts, separated by commas: a SQL follower as its JDBC URL (`jdbc:postgresql://host:port/db?user=...&password=...&sslmode=...`; a password in it is never printed), a serve group as `serve:host:port[;host:port...]` (any of its instances).");

    public static final ConfigKey STATUS_FOLLOWERS = key("status.followers", STRING, "", List.of(STATUS),
            "Followers `replog status` reports on, written as in `await.followers` (JDBC URLs and `serve:host:port[;host:port...]`, separated by commas); empty: the follower of `follower.jdbc.url` (with `follower.user`, `follower.password`, `follower.sslmode`), if set. With `leader.host` set, status also reports capture's slot (`capture.slot.name`) and the leader's position. See docs/status.md.");

    public static final ConfigKey STARTUP_TIMEOUT_S = key("startup.timeout.seconds", INT, "60", BOTH,
            "How long to keep retrying unreachable PostgreSQL or Kafka at start before giving up.");

    public static final List<ConfigKey> ALL = List.of(
            TOPICS_PREFIX, TOPICS_PARTITIONS, TOPICS_REPLICATION_FACTOR, TOPICS_RETENTION_MS, TOPICS_REBUILD_FROM_LOG, LOG_FORMAT, CAPTURE_REFRESH_INTERVAL_MS,
            KAFKA_BOOTSTRAP, KAFKA_CLIENT_TIMEOUT_MS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_JAAS,
            KAFKA_TRUSTSTORE, KAFKA_TRUSTSTORE_PASSWORD, KAFKA_KEYSTORE, KAFKA_KEYSTORE_PASSWORD, KAFKA_KEY_PASSWORD,
            KAFKA_TRUSTSTORE_TYPE, KAFKA_KEYSTORE_TYPE, KAFKA_ENDPOINT_IDENTIFICATION,
            LEADER_HOST, LEADER_PORT, LEADER_DATABASE, LEADER_USER, LEADER_PASSWORD, LEADER_SSLMODE,
            LEADER_SSLROOTCERT, LEADER_SSLCERT, LEADER_SSLKEY, LEADER_SSLPASSWORD,
            CAPTURE_TABLES, CAPTURE_SLOT, CAPTURE_PUBLICATION, CAPTURE_PUBLICATION_REFRESH_MS, CAPTURE_SNAPSHOT_MODE, CAPTURE_SNAPSHOT_METHOD, CAPTURE_HEARTBEAT_MS, CAPTURE_WATERMARK_INTERVAL_MS,
            CAPTURE_TIMETZ_OFFSETS, CAPTURE_VALUE_ENCODING, CAPTURE_HTTP_LISTEN,
            FOLLOWER_URL, FOLLOWER_USER, FOLLOWER_PASSWORD, FOLLOWER_SSLMODE,
            FOLLOWER_SSLROOTCERT, FOLLOWER_SSLCERT, FOLLOWER_SSLKEY, FOLLOWER_SSLPASSWORD, FOLLOWER_POOL_SIZE,
            APPLY_GROUP, APPLY_BATCH_SIZE, APPLY_POLL_TIMEOUT_MS, APPLY_FETCH_WAIT_MS, APPLY_BUFFER_MAX_BYTES, APPLY_ON_ERROR,
            APPLY_MODE, APPLY_SCHEMA_EXPRESSIONS, APPLY_CREATE_EXTENSIONS, APPLY_HTTP_LISTEN,
            VERIFY_CHUNK_ROWS, VERIFY_PARALLELISM, VERIFY_RECHECK_TIMEOUT_MS,
            SERVE_TABLES, SERVE_GROUP, SERVE_STATE_DIR, SERVE_HTTP_LISTEN, SERVE_HTTP_ADVERTISED, SERVE_HTTP_THREADS,
            SERVE_STANDBYS, SERVE_STREAM_THREADS, SERVE_CACHE_BYTES, SERVE_MEMTABLE_BYTES, SERVE_MAX_WAIT_MS,
            SERVE_COMMIT_INTERVAL_MS, SERVE_SESSION_TIMEOUT_MS, AWAIT_FOLLOWERS, STATUS_FOLLOWERS, STARTUP_TIMEOUT_S);

    private ConfigKeys() {
    }

    public static Optional<ConfigKey> named(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** The README's configuration reference: a Markdown table of every key. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | used by | default | meaning |\n|---|---|---|---|\n");
        for (ConfigKey k : ALL) {
            String def = k.required() ? "*required*" : k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
            String used = String.join(", ", k.usedBy().stream().map(s -> s.name().toLowerCase()).toList());
            String doc = k.doc() + (k.choices().isEmpty() ? "" : " One of: " + String.join(", ", k.choices()) + ".")
                    + (k.secret() ? " Secret: never logged." : "");
            sb.append("| `").append(k.name()).append("` | ").append(used).append(" | ").append(def)
                    .append(" | ").append(doc).append(" |\n");
        }
        return sb.toString();
    }

    private static ConfigKey key(String name, ConfigKey.Type type, String def, List<ConfigKey.Scope> usedBy, String doc) {
        return new ConfigKey(name, type, def, usedBy, List.of(), false, doc);
    }

    private static ConfigKey choice(String name, String def, List<ConfigKey.Scope> usedBy, List<String> choices, String doc) {
        return new ConfigKey(name, STRING, def, usedBy, choices, false, doc);
    }

    private static ConfigKey secret(String name, List<ConfigKey.Scope> usedBy, String doc) {
        return new ConfigKey(name, STRING, "", usedBy, List.of(), true, doc);
    }
}
