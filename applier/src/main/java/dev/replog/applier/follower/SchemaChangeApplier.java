package dev.replog.applier.follower;

import dev.replog.applier.SchemaExpressions;
import dev.replog.applier.state.TableDefinitionStore;
import dev.replog.applier.verify.TableChecksum;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Brings a follower table to a leader definition, inside the caller's transaction: creates it,
 * alters it (diffed against the definition it was last brought to), or drops it. The change comes
 * from the log, which anyone who can write to a table topic can write: it must come from its own
 * table's topic, and {@link SchemaChangeCheck} checks every SQL text it carries before any of its
 * DDL runs.
 */
public final class SchemaChangeApplier {

    private static final Logger log = LoggerFactory.getLogger(SchemaChangeApplier.class);

    private SchemaChangeApplier() {
    }

    /**
     * @param topic       the table topic the change was read from
     * @param expressions which expressions the change may carry
     * @param userTypes   what may be done for user types beyond this transaction
     */
    static void apply(Connection c, SchemaChange change, String topic, SchemaExpressions expressions, UserTypePolicy userTypes)
            throws SQLException {
        TableId table = change.table();
        if (!isTopicOf(table, topic)) {
            throw SchemaChangeCheck.wrongTopic(table, topic);
        }
        String lsn = change.source().lsn().toString();
        if (change.isDrop()) {
            execute(c, List.of("DROP TABLE IF EXISTS " + quote(table)));
            TableDefinitionStore.delete(c, table);
            log.info("table {} dropped on the follower (dropped on the leader, LSN {})", table, lsn);
            return;
        }
        SchemaChangeCheck check = new SchemaChangeCheck(c, table, expressions);
        Optional<TableDefinition> stored = TableDefinitionStore.load(c, table);
        if (change.definition().types().isEmpty()) {
            UserTypes.ensure(c, change.definition(), check); // a definition of an older capture, its types per column
        } else {
            FollowerUserTypes.ensure(c, change.definition(), lsn, check, userTypes);
        }
        SchemaChangeCheck.CheckedDefinition checked = check.table(change.definition());
        TableDefinition next = checked.definition();
        Set<String> followerColumns = new LinkedHashSet<>(TableChecksum.columns(c, table));
        List<String> statements = new ArrayList<>();
        boolean recreated = stored.isPresent() && stored.get().leaderOid() != 0 && next.leaderOid() != 0
                && stored.get().leaderOid() != next.leaderOid();
        if (recreated) {
            // Dropped and created again on the leader under the same name: the old rows are gone there.
            statements.add("DROP TABLE " + quote(table));
            followerColumns = Set.of();
        }
        if (followerColumns.isEmpty()) {
            statements.add("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
            statements.add(FollowerDdl.createTable(checked));
        } else if (stored.isPresent()) {
            statements.addAll(DefinitionDiff.between(stored.get(), checked, followerColumns));
        } else {
            // A follower table from before definitions were kept: add what it lacks, change nothing else.
            for (TableDefinition.ColumnDefinition col : next.columns()) {
                if (!followerColumns.contains(col.name())) {
                    statements.add("ALTER TABLE " + quote(table) + " ADD COLUMN " + FollowerDdl.column(col));
                }
            }
        }
        execute(c, statements);
        TableDefinitionStore.save(c, stored.isPresent() && !recreated ? keepAttnums(stored.get(), next) : next, lsn);
        if (!statements.isEmpty()) {
            log.info("table {} brought to the leader's definition at LSN {}: {}", table, lsn, String.join("; ", statements));
        }
    }

    /** Whether {@code topic} is the table's own topic, under the prefix the topic itself starts with. */
    private static boolean isTopicOf(TableId table, String topic) {
        int dot = topic.indexOf('.');
        try {
            return dot > 0 && new TopicNames(topic.substring(0, dot)).topicOf(table).equals(topic);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A column known only by name in {@code next} (attnum 0, typed from the log) is the same column
     * as before: it keeps its catalog definition, attribute number included, so that a later rename
     * or type change of it is still recognised.
     */
    private static TableDefinition keepAttnums(TableDefinition previous, TableDefinition next) {
        List<TableDefinition.ColumnDefinition> columns = new ArrayList<>();
        for (TableDefinition.ColumnDefinition col : next.columns()) {
            columns.add(col.attnum() != 0 ? col : previous.column(col.name()).orElse(col));
        }
        return new TableDefinition(next.table(), next.leaderOid() != 0 ? next.leaderOid() : previous.leaderOid(),
                columns, next.primaryKey(), next.checks(), next.types());
    }

    private static void execute(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
