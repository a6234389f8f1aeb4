package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The few schema, table and column names Debezium 3.6.3 cannot carry from the WAL to the right
 * table and column.
 * Dots, spaces, commas, unicode and '"' inside a name are fine; what breaks is the round trip of a
 * streamed change's table: the pgoutput decoder names it as a string
 * ({@code PgOutputMessageDecoder#decodeInsert/Update/Delete}: {@code table.id().toDoubleQuotedString()})
 * that the streaming source parses back ({@code PostgresStreamingChangeEventSource#processMessages}
 * → {@code PostgresSchema#parse} → {@code io.debezium.relational.TableIdParser#parse}). A change
 * whose table parses into another name is filtered out as not captured: silently lost. Measured
 * here: the snapshot rows of {@code public."it''s"} arrive, its streamed inserts never do; a name
 * like {@code "q"} (quotes included) even breaks the snapshot SELECT, and a
 * {@code snapshot.select.statement.overrides} query mends only that, not the stream.
 */
final class DebeziumNames {

    private DebeziumNames() {
    }

    /** @return why Debezium would lose this table's streamed changes, or null if it would not */
    static String problem(TableId t) {
        for (String name : new String[] {t.schema(), t.table()}) {
            if (name.startsWith("\"") || name.endsWith("\"")) {
                // io.debezium.relational.TableId#quote leaves a part that starts or ends with the
                // quote character as it is, unquoted, so the parser reads another name (or fails).
                return "the name '" + name + "' starts or ends with '\"', which Debezium 3.6.3 does not quote "
                        + "(io.debezium.relational.TableId#quote)";
            }
            if (name.contains("''") || name.contains("``")) {
                // TableIdParser#parse replaces '' by ' and `` by ` in every part, quoted or not.
                return "the name '" + name + "' contains two ' or two ` in a row, which Debezium 3.6.3 reads back as "
                        + "one (io.debezium.relational.TableIdParser#parse)";
            }
        }
        return null;
    }

    /**
     * @param columns the table's column names in order
     * @return why Debezium would garble this table's streamed changes, or null if it would not
     */
    static String columnProblem(List<String> columns) {
        Set<String> lowerCase = new HashSet<>();
        for (String column : columns) {
            char first = column.isEmpty() ? 0 : column.charAt(0);
            if (column.length() >= 2 && first == column.charAt(column.length() - 1) && (first == '"' || first == '\'' || first == '`')) {
                // PgOutputMessageDecoder#handleRelationMessage passes every streamed column name
                // through io.debezium.util.Strings#unquoteIdentifierPart, which strips such quotes:
                // measured here, the column's values never reach the follower.
                return "column '" + column + "' starts and ends with " + first + ", which Debezium 3.6.3 strips from "
                        + "streamed column names (io.debezium.util.Strings#unquoteIdentifierPart)";
            }
            // The same comparison as PgOutputMessageDecoder#handleRelationMessage, which stops
            // streaming for good on such a table.
            if (!lowerCase.add(column.toLowerCase())) {
                return "column '" + column + "' differs from another column only in case, which Debezium 3.6.3 refuses "
                        + "to stream (PgOutputMessageDecoder#handleRelationMessage)";
            }
        }
        return null;
    }
}
