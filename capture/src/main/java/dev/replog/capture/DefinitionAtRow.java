package dev.replog.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.PgType;
import dev.replog.schemas.PgValues;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.UserType;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A table's definition as of one row, made from the leader catalog read when that row reached
 * capture, which may be long after the row was written: the catalog may already show later DDL.
 * <ul>
 * <li>A catalog column the row lacks (other than a generated one, which pgoutput never sends) was
 * added later: it is left out, or the follower would get it before the rows written without it,
 * and a rename of it in between would look like a drop, losing the values written under the old
 * name. A CHECK that names a left-out column is left out with it; it comes with that column.</li>
 * <li>A row column the catalog lacks was dropped or renamed later: the row's own columns define the
 * table, each taken from the catalog or the last published definition by name; a column new since
 * then and renamed already is paired with the catalog's new column at its place (columns come in
 * attribute order), so its attribute number is known; failing all, it is typed from the log with
 * attnum 0 and the follower matches it by name.</li>
 * </ul>
 * The later change is published when the rows that follow it arrive.
 */
final class DefinitionAtRow {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DefinitionAtRow() {
    }

    static TableDefinition of(TableId table, Optional<TableDefinition> catalog, Optional<TableDefinition> previous,
                              Schema rowSchema, Schema keySchema) {
        Set<String> rowNames = rowSchema.fields().stream().map(Field::name).collect(Collectors.toSet());
        Set<String> catalogNames = catalog.map(d -> d.columns().stream().map(ColumnDefinition::name)
                .collect(Collectors.toSet())).orElse(Set.of());
        List<ColumnDefinition> columns;
        if (catalog.isPresent() && catalogNames.containsAll(rowNames)) {
            TableDefinition now = catalog.get();
            columns = now.columns().stream().filter(c -> rowNames.contains(c.name()) || c.generatedExpression() != null).toList();
            if (columns.size() == now.columns().size()) {
                return now;
            }
        } else {
            columns = withGenerated(fromRow(catalog, previous, rowSchema, rowNames), catalog);
        }
        List<String> key = keySchema != null ? keySchema.fields().stream().map(Field::name).toList()
                : previous.map(TableDefinition::primaryKey).orElse(List.of());
        // The types of a column left out stay listed: a follower creating one early does no harm.
        List<UserType> types = catalog.or(() -> previous).map(TableDefinition::types).orElse(List.of());
        return new TableDefinition(table, catalog.map(TableDefinition::leaderOid).orElse(0L), columns, key,
                checksOf(catalog, columns), types);
    }

    private static List<ColumnDefinition> fromRow(Optional<TableDefinition> catalog, Optional<TableDefinition> previous,
                                                  Schema rowSchema, Set<String> rowNames) {
        Set<Integer> previousAttnums = previous.map(d -> d.columns().stream().map(ColumnDefinition::attnum)
                .collect(Collectors.toSet())).orElse(Set.of());
        List<ColumnDefinition> columns = new ArrayList<>();
        int lastAttnum = 0;
        for (Field f : rowSchema.fields()) {
            int after = lastAttnum;
            ColumnDefinition column = catalog.flatMap(d -> d.column(f.name()))
                    .or(() -> previous.flatMap(d -> d.column(f.name())))
                    .or(() -> catalog.flatMap(d -> d.columns().stream()
                            .filter(c -> c.attnum() > after && !rowNames.contains(c.name()) && !previousAttnums.contains(c.attnum()))
                            .findFirst()
                            .map(c -> c.renamed(f.name()))))
                    .orElseGet(() -> fromLog(f));
            lastAttnum = Math.max(lastAttnum, column.attnum());
            columns.add(column);
        }
        return columns;
    }

    /** The catalog's generated columns (never in a row) put back at their attribute-number place. */
    private static List<ColumnDefinition> withGenerated(List<ColumnDefinition> columns, Optional<TableDefinition> catalog) {
        List<ColumnDefinition> all = new ArrayList<>(columns);
        for (ColumnDefinition g : catalog.map(TableDefinition::columns).orElse(List.of())) {
            if (g.generatedExpression() == null || all.stream().anyMatch(c -> c.name().equals(g.name()))) {
                continue;
            }
            int at = 0;
            while (at < all.size() && (all.get(at).attnum() == 0 || all.get(at).attnum() < g.attnum())) {
                at++;
            }
            all.add(at, g);
        }
        return all;
    }

    /**
     * The catalog's CHECKs but those naming a catalog column not in {@code columns} (by its name
     * appearing in the printed constraint: a false match only delays that CHECK to the next definition).
     */
    private static List<CheckConstraint> checksOf(Optional<TableDefinition> catalog, List<ColumnDefinition> columns) {
        Set<String> kept = columns.stream().map(ColumnDefinition::name).collect(Collectors.toSet());
        List<String> missing = catalog.map(d -> d.columns().stream().map(ColumnDefinition::name)
                .filter(n -> !kept.contains(n)).toList()).orElse(List.of());
        return catalog.map(TableDefinition::checks).orElse(List.of()).stream()
                .filter(k -> missing.stream().noneMatch(name -> k.definition().contains(name))).toList();
    }

    private static ColumnDefinition fromLog(Field f) {
        ObjectNode field = JSON.createObjectNode();
        Map<String, String> parameters = f.schema().parameters() == null ? Map.of() : f.schema().parameters();
        field.set("parameters", JSON.valueToTree(new LinkedHashMap<>(parameters)));
        PgType type = PgValues.typeOf(field, f.name());
        return new ColumnDefinition(f.name(), 0, type.toSql(), type.name(), -1, !f.schema().isOptional(), null, null);
    }
}
