package dev.replog.schemas;

import dev.replog.schemas.TableDefinition.CheckConstraint;

import java.util.List;
import java.util.Objects;

/**
 * A domain as the leader's catalog declares it. It travels with every column of the domain's type
 * (or of an array of it), so that a follower which lacks the domain can create the same one before
 * the table that uses it: the log is all a follower ever sees of the leader.
 *
 * @param schema            the domain's schema on the leader
 * @param name              the domain's name ({@code pg_type.typname}), unquoted
 * @param baseType          SQL that declares the base type with its modifiers ({@code format_type}),
 *                          e.g. {@code numeric(10,2)}, {@code character varying(5)}
 * @param notNull           whether the domain is declared NOT NULL
 * @param defaultExpression the domain's default as SQL ({@code pg_get_expr}), null if none
 * @param checks            every CHECK constraint of the domain, by name, as {@code pg_get_constraintdef} prints it
 * @param collationSchema   schema of the domain's collation when it differs from the base type's, else null
 * @param collation         name of that collation, unquoted, else null
 */
public record DomainDefinition(String schema, String name, String baseType, boolean notNull, String defaultExpression,
                               List<CheckConstraint> checks, String collationSchema, String collation) {

    public DomainDefinition {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseType, "baseType");
        checks = checks == null ? List.of() : List.copyOf(checks);
        if ((collationSchema == null) != (collation == null)) {
            throw new IllegalArgumentException("domain " + name + ": a collation needs both its schema and its name");
        }
    }

    /** The domain's name as SQL: schema-qualified, both parts quoted. */
    public String qualifiedName() {
        return SqlIdentifiers.quote(schema) + "." + SqlIdentifiers.quote(name);
    }
}
