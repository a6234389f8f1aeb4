package dev.replog.capture;

import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class DefinitionAtRowTest {

    private static final TableId ITEMS = new TableId("public", "items");
    private static final ColumnDefinition ID = column("id", 1, null);
    private static final ColumnDefinition QTY = column("qty", 2, null);
    private static final ColumnDefinition TOTAL = column("total", 3, "(qty * 2)");
    private static final ColumnDefinition REMARK = column("remark", 4, null);
    private static final ColumnDefinition SCORE = column("score", 5, null);
    private static final CheckConstraint QTY_CHECK = new CheckConstraint("items_qty_check", "CHECK ((qty >= 0))");
    private static final CheckConstraint SCORE_CHECK = new CheckConstraint("items_score_check", "CHECK ((score > 0))");
    /** The catalog after ADD COLUMN note, RENAME note TO remark, ADD COLUMN score CHECK (score > 0). */
    private static final TableDefinition LATER = new TableDefinition(ITEMS, 42, List.of(ID, QTY, TOTAL, REMARK, SCORE),
            List.of("id"), List.of(QTY_CHECK, SCORE_CHECK));

    private static ColumnDefinition column(String name, int attnum, String generated) {
        return new ColumnDefinition(name, attnum, "integer", "int4", -1, false, null, generated);
    }

    private static Schema row(String... columns) {
        SchemaBuilder b = SchemaBuilder.struct();
        for (String c : columns) {
            b.field(c, Schema.OPTIONAL_INT32_SCHEMA);
        }
        return b.build();
    }

    private static TableDefinition at(Schema row, Optional<TableDefinition> previous) {
        return DefinitionAtRow.of(ITEMS, Optional.of(LATER), previous, row, row("id"));
    }

    @Test
    void rowWrittenBeforeColumnsWereAddedGetsNeitherThoseColumnsNorTheirChecks() {
        TableDefinition d = at(row("id", "qty"), Optional.empty());
        assertEquals(List.of(ID, QTY, TOTAL), d.columns(), "generated columns are never in a row, but stay");
        assertEquals(List.of(QTY_CHECK), d.checks());
    }

    @Test
    void rowWithAColumnRenamedLaterPairsItWithTheCatalogColumnAtItsPlace() {
        TableDefinition before = at(row("id", "qty"), Optional.empty());
        TableDefinition d = at(row("id", "qty", "note"), Optional.of(before));
        assertEquals(List.of("id", "qty", "total", "note"), d.columns().stream().map(ColumnDefinition::name).toList());
        assertEquals(REMARK.attnum(), d.column("note").orElseThrow().attnum(), "a rename keeps the attribute number");
        assertEquals(List.of(QTY_CHECK), d.checks());
    }

    @Test
    void rowWithEveryCatalogColumnGetsTheCatalogAsItIs() {
        assertSame(LATER, at(row("id", "qty", "remark", "score"), Optional.empty()));
    }
}
