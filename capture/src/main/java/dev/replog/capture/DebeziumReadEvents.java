package dev.replog.capture;

import dev.replog.schemas.Lsn;
import io.debezium.config.CommonConnectorConfig;
import io.debezium.config.Configuration;
import io.debezium.connector.SnapshotRecord;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresOffsetContext;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.connector.postgresql.TypeRegistry;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.relational.Column;
import io.debezium.relational.CustomConverterRegistry;
import io.debezium.relational.Table;
import io.debezium.relational.TableId;
import io.debezium.relational.TableSchema;
import io.debezium.relational.TableSchemaBuilder;
import io.debezium.relational.Tables;
import io.debezium.relational.mapping.ColumnMappers;
import io.debezium.spi.converter.ConvertedField;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.topic.TopicNamingStrategy;
import io.debezium.util.Clock;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.charset.Charset;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes the read ({@code r}) events Debezium's initial snapshot would make, from rows read elsewhere
 * ({@link CopySnapshot}): the tables are read and their Connect schemas built by Debezium's own
 * classes, from the very properties capture's engine runs with ({@link DebeziumConfig}), so key and
 * value schemas, topic, column parameters and converters (capture's {@link PgTextConverter}) are
 * Debezium's. The rows' values must be what Debezium's JDBC reader would hand over ({@link SnapshotValues}).
 */
final class DebeziumReadEvents implements AutoCloseable {

    private final PostgresConnectorConfig config;
    private final PostgresConnection connection;
    private final TableSchemaBuilder schemas;
    private final TopicNamingStrategy<TableId> topics;
    private final ColumnMappers mappers;
    private final Map<String, String> partition;
    private final Tables tables = new Tables();

    DebeziumReadEvents(Properties engineProperties) {
        this.config = new PostgresConnectorConfig(Configuration.from(engineProperties));
        Charset charset;
        try (PostgresConnection plain = new PostgresConnection(config.getJdbcConfig(), "replog copy snapshot")) {
            charset = plain.getDatabaseCharset();
        }
        TypeRegistry types = PostgresConnection.createTypeRegistry(config.getJdbcConfig());
        this.connection = new PostgresConnection(config.getJdbcConfig(), types,
                registry -> PostgresValueConverter.of(config, charset, registry), "replog copy snapshot");
        this.schemas = new TableSchemaBuilder(PostgresValueConverter.of(config, charset, types), connection.getDefaultValueConverter(),
                config.schemaNameAdjuster(), new CustomConverterRegistry(List.of(converter(engineProperties))),
                config.getSourceInfoStructMaker().schema(), config.getFieldNamer(), false,
                config.getEventConvertingFailureHandlingMode());
        this.topics = config.getTopicNamingStrategy(CommonConnectorConfig.TOPIC_NAMING_STRATEGY);
        this.mappers = ColumnMappers.create(config);
        this.partition = Map.of("server", config.getLogicalName());
    }

    @SuppressWarnings("unchecked")
    private static CustomConverter<SchemaBuilder, ConvertedField> converter(Properties p) {
        String type = p.getProperty("pgtext.type");
        try {
            CustomConverter<SchemaBuilder, ConvertedField> c = (CustomConverter<SchemaBuilder, ConvertedField>)
                    Class.forName(type).getDeclaredConstructor().newInstance();
            Properties own = new Properties();
            p.stringPropertyNames().stream().filter(k -> k.startsWith("pgtext.")).forEach(k -> own.put(k.substring(7), p.get(k)));
            c.configure(own);
            return c;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make capture's converter " + type, e);
        }
    }

    /** Reads these tables' definitions from the leader (now: call it inside the snapshot's reach of DDL). */
    void readTables(Collection<dev.replog.schemas.TableId> wanted) throws SQLException {
        Set<TableId> ids = wanted.stream().map(DebeziumReadEvents::idOf).collect(Collectors.toSet());
        for (String schema : ids.stream().map(TableId::schema).collect(Collectors.toSet())) {
            connection.readSchema(tables, config.databaseName(), schema, ids::contains, null, false);
        }
    }

    /** The table's columns in Debezium's order: the order of the values a row's array holds. */
    List<Column> columns(dev.replog.schemas.TableId table) {
        Table t = tables.forTable(idOf(table));
        if (t == null) {
            throw new CaptureException("table " + table + " to copy is not on the leader (dropped?)");
        }
        return t.columns();
    }

    List<String> primaryKey(dev.replog.schemas.TableId table) {
        return tables.forTable(idOf(table)).primaryKeyColumnNames();
    }

    /** One table's maker of read events. */
    TableEvents forTable(dev.replog.schemas.TableId table) {
        Table t = tables.forTable(idOf(table));
        TableSchema schema = schemas.create(topics, t, config.getColumnFilter(), mappers, config.getKeyMapper());
        return new TableEvents(t.id(), schema, topics.dataChangeTopic(t.id()));
    }

    /**
     * Where a snapshot's events of this table say they were read (its LSN and transaction), as Debezium's
     * snapshot writes it. Not thread-safe: one per reading thread.
     */
    Source source(dev.replog.schemas.TableId table, Lsn lsn, long txId) {
        PostgresOffsetContext offset;
        synchronized (connection) {
            offset = PostgresOffsetContext.initialContext(config, connection, Clock.SYSTEM);
        }
        offset.preSnapshotStart(false);
        offset.updateWalPosition(io.debezium.connector.postgresql.connection.Lsn.valueOf(lsn.value()), null, Instant.now(),
                txId, null, null, null);
        offset.markSnapshotRecord(SnapshotRecord.TRUE);
        return new Source(idOf(table), offset);
    }

    private static TableId idOf(dev.replog.schemas.TableId t) {
        return new TableId(null, t.schema(), t.table());
    }

    /** A snapshot's source block and offset, moved on to the time of each batch of rows. */
    static final class Source {
        private final TableId table;
        private final PostgresOffsetContext offset;
        private Struct block;
        private Map<String, ?> position;
        private Instant at;

        private Source(TableId table, PostgresOffsetContext offset) {
            this.table = table;
            this.offset = offset;
            now();
        }

        /**
         * Read now: the next events get this time. Their structs are shared by the events of a batch,
         * which nothing changes once made (Debezium makes them per event).
         */
        void now() {
            at = Instant.now();
            offset.event(table, at);
            block = offset.getSourceInfo();
            position = offset.getOffset();
        }

        /** The source block of one event with this snapshot marker (Debezium's {@code first}, {@code last}, ...). */
        Struct marked(SnapshotRecord marker) {
            offset.markSnapshotRecord(marker);
            Struct marked = offset.getSourceInfo();
            offset.markSnapshotRecord(SnapshotRecord.TRUE);
            return marked;
        }
    }

    /** Builds one table's read events; thread-safe. */
    final class TableEvents {
        private final TableId id;
        private final TableSchema schema;
        private final String topic;

        private TableEvents(TableId id, TableSchema schema, String topic) {
            this.id = id;
            this.schema = schema;
            this.topic = topic;
        }

        /** The read event of a row, its values in {@link #columns} order. */
        SourceRecord read(Source source, Object[] row) {
            return read(source, row, SnapshotRecord.TRUE);
        }

        SourceRecord read(Source source, Object[] row, SnapshotRecord marker) {
            Struct key = schema.keyFromColumnData(row);
            Struct block = marker == SnapshotRecord.TRUE ? source.block : source.marked(marker);
            Struct value = schema.getEnvelopeSchema().read(schema.valueFromColumnData(row), block, source.at);
            return new SourceRecord(partition, source.position, topic, null, schema.keySchema(), key,
                    schema.getEnvelopeSchema().schema(), value);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
