package dev.replog.applier.follower;

import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * DDL text for follower tables built from a leader definition that {@link SchemaChangeCheck} has
 * checked. Names are quoted here; types are as the follower's catalog prints them; defaults,
 * generation expressions and CHECK bodies are the leader catalog's SQL ({@code pg_get_expr},
 * {@code pg_get_constraintdef}), each checked to be one expression and put in parentheses here.
 */
public final class FollowerDdl {

    private FollowerDdl() {
    }

    static String createTable(SchemaChangeCheck.CheckedDefinition checked) {
        TableDefinition d = checked.definition();
        List<String> parts = new ArrayList<>();
        d.columns().forEach(c -> parts.add(column(c)));
        d.checks().forEach(c -> parts.add(check(c)));
        if (!d.primaryKey().isEmpty()) {
            parts.add("PRIMARY KEY (" + d.primaryKey().stream().map(k -> quote(k)).collect(Collectors.joining(", ")) + ")");
        }
        return "CREATE TABLE " + quote(d.table()) + " (" + String.join(", ", parts) + ")";
    }

    /** A column of a {@link SchemaChangeCheck.CheckedDefinition} as it appears in CREATE TABLE or ADD COLUMN. */
    static String column(ColumnDefinition c) {
        StringBuilder sql = new StringBuilder(quote(c.name())).append(' ').append(c.type());
        if (c.isGenerated()) {
            // Recomputed on the follower: the value is never copied from the log.
            sql.append(" GENERATED ALWAYS AS (").append(c.generatedExpression()).append(") STORED");
        } else if (c.defaultExpression() != null) {
            sql.append(" DEFAULT (").append(c.defaultExpression()).append(')');
        }
        if (c.notNull()) {
            sql.append(" NOT NULL");
        }
        return sql.toString();
    }

    /** A CHECK of a {@link SchemaChangeCheck.CheckedDefinition}: its definition is {@code CHECK (<expression>) [flags]}. */
    static String check(CheckConstraint c) {
        return "CONSTRAINT " + quote(c.name()) + " " + c.definition();
    }
}
