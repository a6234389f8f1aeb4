package dev.replog.applier.follower;

import dev.replog.applier.ApplyException;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DefinitionDiffTest {

    private static final TableId T = new TableId("public", "t");
    private static final ColumnDefinition ID = col("id", 1, "integer", "int4", -1);

    private static ColumnDefinition col(String name, int attnum, String type, String typeName, int typmod) {
        return new ColumnDefinition(name, attnum, type, typeName, typmod, false, null, null);
    }

    private static TableDefinition table(ColumnDefinition... columns) {
        return new TableDefinition(T, 42, List.of(columns), List.of("id"), List.of());
    }

    /** As {@link SchemaChangeCheck} hands a definition on (these ones carry no SQL text but names and types). */
    private static SchemaChangeCheck.CheckedDefinition checked(TableDefinition d) {
        return new SchemaChangeCheck.CheckedDefinition(d);
    }

    private static Set<String> names(TableDefinition d) {
        return Set.copyOf(d.columns().stream().map(ColumnDefinition::name).toList());
    }

    @Test
    void aColumnWithTheSameAttributeNumberAndANewNameIsRenamedNotDroppedAndAdded() {
        TableDefinition before = table(ID, col("qty", 2, "integer", "int4", -1));
        TableDefinition after = table(ID, col("quantity", 2, "integer", "int4", -1));
        assertEquals(List.of("ALTER TABLE \"public\".\"t\" RENAME COLUMN \"qty\" TO \"quantity\""),
                DefinitionDiff.between(before, checked(after), names(before)));
    }

    @Test
    void dropAndAddOfTheSameNameAreADropAndAnAdd() {
        TableDefinition before = table(ID, col("v", 2, "integer", "int4", -1));
        TableDefinition after = table(ID, col("v", 3, "text", "text", -1));
        assertEquals(List.of("ALTER TABLE \"public\".\"t\" DROP COLUMN \"v\"", "ALTER TABLE \"public\".\"t\" ADD COLUMN IF NOT EXISTS \"v\" text"),
                DefinitionDiff.between(before, checked(after), names(before)));
    }

    @Test
    void wideningIsAppliedAndNarrowingIsRefusedNamingTableAndChange() {
        TableDefinition varchar20 = table(ID, col("name", 2, "character varying(20)", "varchar", 24));
        TableDefinition text = table(ID, col("name", 2, "text", "text", -1));
        TableDefinition varchar10 = table(ID, col("name", 2, "character varying(10)", "varchar", 14));
        assertEquals(List.of("ALTER TABLE \"public\".\"t\" ALTER COLUMN \"name\" TYPE text"),
                DefinitionDiff.between(varchar20, checked(text), names(varchar20)));
        ApplyException e = assertThrows(ApplyException.class, () -> DefinitionDiff.between(varchar20, checked(varchar10), names(varchar20)));
        assertTrue(e.getMessage().startsWith("table public.t: refusing schema change ALTER COLUMN \"name\" TYPE character varying(10)"), e.getMessage());
    }

    @Test
    void numericWidensOnlyWhenNoDigitIsLost() {
        int numeric10_2 = ((10 << 16) | 2) + 4;
        int numeric12_4 = ((12 << 16) | 4) + 4;
        int numeric10_4 = ((10 << 16) | 4) + 4;
        assertTrue(TypeWidening.isWidening(col("n", 2, "numeric(10,2)", "numeric", numeric10_2), col("n", 2, "numeric(12,4)", "numeric", numeric12_4)));
        assertTrue(!TypeWidening.isWidening(col("n", 2, "numeric(10,2)", "numeric", numeric10_2), col("n", 2, "numeric(10,4)", "numeric", numeric10_4)));
        assertTrue(TypeWidening.isWidening(col("n", 2, "integer", "int4", -1), col("n", 2, "bigint", "int8", -1)));
        assertTrue(!TypeWidening.isWidening(col("n", 2, "bigint", "int8", -1), col("n", 2, "integer", "int4", -1)));
    }

    @Test
    void aRenameOfAColumnTheFollowerDoesNotHaveIsRefused() {
        TableDefinition before = table(ID, col("a", 2, "integer", "int4", -1));
        TableDefinition after = table(ID, col("b", 2, "integer", "int4", -1));
        ApplyException e = assertThrows(ApplyException.class, () -> DefinitionDiff.between(before, checked(after), Set.of("id")));
        assertTrue(e.getMessage().contains("RENAME COLUMN \"a\" TO \"b\""), e.getMessage());
    }
}
