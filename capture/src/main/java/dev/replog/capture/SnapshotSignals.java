package dev.replog.capture;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.zip.CRC32;

/**
 * Capture's signal table on the leader: Debezium's source signalling channel
 * ({@code signal.data.collection}). The table is in the publication, so a row inserted into it is
 * read by Debezium in WAL order; an {@code execute-snapshot} row makes Debezium copy the named table
 * (an incremental snapshot: chunk by chunk, interleaved with streaming, de-duplicated against the
 * changes streamed meanwhile) once it has streamed up to that row. Debezium also writes its chunk
 * watermarks here (inserted and deleted again, {@code incremental.snapshot.watermarking.strategy=insert_delete}).
 * Rows of this table are never published to the log. One table per slot, so that two captures of
 * one database never act on each other's signals.
 */
final class SnapshotSignals {

    private static final int MAX_IDENTIFIER = 63;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotSignals() {
    }

    /** {@code replog.signal_<slot>}, shortened with a checksum if the slot name is long. */
    static TableId tableFor(String slotName) {
        String name = "signal_" + slotName;
        if (name.length() > MAX_IDENTIFIER) {
            CRC32 crc = new CRC32();
            crc.update(slotName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            name = "signal_" + slotName.substring(0, 46) + "_" + String.format("%08x", crc.getValue());
        }
        return new TableId(ReplogSchema.NAME, name);
    }

    static void createIfMissing(Connection c, TableId signals) throws SQLException {
        try (Statement s = c.createStatement()) {
            // Debezium reads a signal row as exactly three text columns: id, type, data.
            s.execute("CREATE TABLE IF NOT EXISTS " + SqlIdentifiers.quote(signals)
                    + " (id text PRIMARY KEY, type text NOT NULL, data text)");
        }
    }

    /**
     * The table as Debezium is asked to snapshot it: each part in double quotes. Debezium first uses
     * the entry as a regular expression over the names of the tables it knows
     * ({@code AbstractIncrementalSnapshotChangeEventSource#expandAndDedupeDataCollectionIds}); a
     * quoted name matches none of them (Replog captures no name that starts with '"', see
     * {@link DebeziumNames}), so it is parsed as a name ({@code TableId.parse}), exactly this table.
     */
    static String dataCollection(TableId table) {
        return "\"" + table.schema().replace("\"", "\"\"") + "\".\"" + table.table().replace("\"", "\"\"") + "\"";
    }

    /** @return why Debezium could not be asked to snapshot this table, or null if it can */
    static String problem(TableId table) {
        try {
            Pattern.compile(dataCollection(table));
            return null;
        } catch (PatternSyntaxException e) {
            return "Debezium reads the name of a table to snapshot as a regular expression first, and "
                    + dataCollection(table) + " is not one (" + e.getDescription() + ")";
        }
    }

    /** The tables an {@code execute-snapshot} request's {@code data} names as Replog writes them ({@link #dataCollection}). */
    static List<TableId> tablesOf(String data) {
        List<TableId> out = new ArrayList<>();
        try {
            for (JsonNode c : JSON.readTree(data == null ? "{}" : data).path("data-collections")) {
                // Replog writes exactly one quoted name per table (dataCollection); anything else (a pattern) is not its own.
                if (c.asText().startsWith("\"")) {
                    out.add(TableId.parse(c.asText()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
        return out;
    }

    /** Asks Debezium, through the WAL, to copy every row of {@code table}; in the caller's transaction. */
    static void requestSnapshot(Connection c, TableId signals, TableId table) throws SQLException {
        String collection = new String(JsonStringEncoder.getInstance().quoteAsString(dataCollection(table)));
        String data = "{\"data-collections\": [\"" + collection + "\"], \"type\": \"incremental\"}";
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SqlIdentifiers.quote(signals)
                + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
            ps.setString(1, "replog-" + UUID.randomUUID());
            ps.setString(2, data);
            ps.executeUpdate();
        }
    }
}
