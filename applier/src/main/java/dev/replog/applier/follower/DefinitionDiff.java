package dev.replog.applier.follower;

import dev.replog.applier.ApplyException;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * The DDL that takes a follower table from one leader definition to the next. Columns are matched
 * by the leader's attribute number, so a rename is a rename and not a drop plus an add; columns
 * known only by name (attnum 0) are matched by name. A change that cannot be made without losing
 * or altering data is refused with an {@link ApplyException} naming the table and the change,
 * before any of the statements runs.
 */
public final class DefinitionDiff {

    private DefinitionDiff() {
    }

    /**
     * @param previous        the definition the follower table was last brought to (only its names reach the SQL, quoted)
     * @param checked         the definition to bring it to; every SQL text in the statements comes from it
     * @param followerColumns the columns the follower table has now
     * @return statements to run in order; empty if nothing changed
     */
    static List<String> between(TableDefinition previous, SchemaChangeCheck.CheckedDefinition checked, Set<String> followerColumns) {
        TableDefinition next = checked.definition();
        TableId table = next.table();
        String target = "ALTER TABLE " + quote(table) + " ";
        Map<ColumnDefinition, ColumnDefinition> matched = new LinkedHashMap<>();
        Set<ColumnDefinition> unmatchedPrevious = new HashSet<>(previous.columns());
        for (ColumnDefinition n : next.columns()) {
            match(previous, n, unmatchedPrevious).ifPresent(p -> {
                matched.put(n, p);
                unmatchedPrevious.remove(p);
            });
        }
        List<String> drops = new ArrayList<>();
        // Generated columns first: a generated column pins the columns it reads.
        for (boolean generated : new boolean[] {true, false}) {
            for (ColumnDefinition p : previous.columns()) {
                if (p.isGenerated() == generated && unmatchedPrevious.contains(p) && followerColumns.contains(p.name())) {
                    drops.add(target + "DROP COLUMN " + quote(p.name()));
                }
            }
        }
        List<String> renames = new ArrayList<>();
        List<String> alters = new ArrayList<>();
        for (Map.Entry<ColumnDefinition, ColumnDefinition> m : matched.entrySet()) {
            ColumnDefinition n = m.getKey();
            ColumnDefinition p = m.getValue();
            if (!p.name().equals(n.name())) {
                if (!followerColumns.contains(p.name())) {
                    throw refused(table, "RENAME COLUMN " + quote(p.name()) + " TO " + quote(n.name()),
                            "the follower table has no column " + quote(p.name()) + " to rename");
                }
                renames.add(target + "RENAME COLUMN " + quote(p.name()) + " TO " + quote(n.name()));
            }
            alters.addAll(columnChanges(target, table, p, n));
        }
        List<String> adds = new ArrayList<>();
        for (ColumnDefinition n : next.columns()) {
            if (!matched.containsKey(n)) {
                adds.add(target + "ADD COLUMN IF NOT EXISTS " + FollowerDdl.column(n));
            }
        }
        List<String> statements = new ArrayList<>();
        statements.addAll(checkDrops(target, previous, next));
        statements.addAll(drops);
        statements.addAll(renames);
        statements.addAll(alters);
        statements.addAll(adds);
        statements.addAll(checkAdds(target, previous, next));
        return statements;
    }

    private static Optional<ColumnDefinition> match(TableDefinition previous, ColumnDefinition n, Set<ColumnDefinition> candidates) {
        if (n.attnum() > 0) {
            Optional<ColumnDefinition> byNumber = candidates.stream().filter(p -> p.attnum() == n.attnum()).findFirst();
            if (byNumber.isPresent()) {
                return byNumber;
            }
        }
        // Known by name only on one side: the catalog had moved on when one of them was read.
        return candidates.stream()
                .filter(p -> p.name().equals(n.name()) && (p.attnum() == 0 || n.attnum() == 0))
                .findFirst();
    }

    private static List<String> columnChanges(String target, TableId table, ColumnDefinition p, ColumnDefinition n) {
        List<String> out = new ArrayList<>();
        String column = "ALTER COLUMN " + quote(n.name()) + " ";
        if (p.attnum() == 0 || n.attnum() == 0) {
            return out; // a type known from the log only is not comparable with the catalog's
        }
        if (p.isGenerated() != n.isGenerated()) {
            throw refused(table, "column " + quote(n.name()) + " " + describeGeneration(p) + " -> "
                    + describeGeneration(n), "turning a column into a generated one or back is not supported");
        }
        if (p.isGenerated() && !p.generatedExpression().equals(n.generatedExpression())) {
            // Also after a rename of a column the expression uses; recomputing is then harmless.
            out.add(target + column + "SET EXPRESSION AS (" + n.generatedExpression() + ")");
        }
        if (!p.type().equals(n.type())) {
            if (!TypeWidening.isWidening(p, n)) {
                throw refused(table, column + "TYPE " + n.type() + " (was " + p.type() + ")",
                        "only widening type changes are applied; this one could lose or alter data");
            }
            out.add(target + column + "TYPE " + n.type());
        }
        if (!n.isGenerated() && !Objects.equals(p.defaultExpression(), n.defaultExpression())) {
            out.add(target + column + (n.defaultExpression() == null ? "DROP DEFAULT" : "SET DEFAULT (" + n.defaultExpression() + ")"));
        }
        if (p.notNull() != n.notNull()) {
            out.add(target + column + (n.notNull() ? "SET NOT NULL" : "DROP NOT NULL"));
        }
        return out;
    }

    private static String describeGeneration(ColumnDefinition c) {
        return c.isGenerated() ? "GENERATED ALWAYS AS (" + c.generatedExpression() + ")" : "not generated";
    }

    private static List<String> checkDrops(String target, TableDefinition previous, TableDefinition next) {
        Set<CheckConstraint> kept = new HashSet<>(next.checks());
        return previous.checks().stream().filter(c -> !kept.contains(c))
                .map(c -> target + "DROP CONSTRAINT IF EXISTS " + quote(c.name()))
                .collect(Collectors.toList());
    }

    private static List<String> checkAdds(String target, TableDefinition previous, TableDefinition next) {
        Set<CheckConstraint> had = new HashSet<>(previous.checks());
        return next.checks().stream().filter(c -> !had.contains(c))
                .map(c -> target + "ADD " + FollowerDdl.check(c))
                .collect(Collectors.toList());
    }

    static ApplyException refused(TableId table, String change, String why) {
        return new ApplyException("table " + table + ": refusing schema change " + change + ": " + why
                + "; the table's apply stops here so that no row is lost or truncated");
    }
}
