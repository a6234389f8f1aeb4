package dev.replog.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A leader table as its catalog declares it: what a follower needs to create the same table and to
 * follow it through ALTER TABLE. Columns carry the leader's attribute number, which stays with a
 * column through a rename: that is what tells a rename from a drop plus an add.
 *
 * @param leaderOid  the table's oid on the leader, 0 if unknown; a new oid under the same name is a new table
 * @param primaryKey primary-key column names in key order
 * @param types      every user-defined or extension type the columns use, directly or through
 *                   another, in dependency order; left out of the JSON when empty, so that
 *                   definitions without such types read exactly as before it existed
 */
public record TableDefinition(TableId table, long leaderOid, List<ColumnDefinition> columns,
                              List<String> primaryKey, List<CheckConstraint> checks,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) List<UserType> types) {

    public TableDefinition {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        checks = List.copyOf(checks);
        types = types == null ? List.of() : List.copyOf(types);
    }

    /** A table whose columns use no user-defined type. */
    public TableDefinition(TableId table, long leaderOid, List<ColumnDefinition> columns, List<String> primaryKey,
                           List<CheckConstraint> checks) {
        this(table, leaderOid, columns, primaryKey, checks, List.of());
    }

    /** The same table with these user types. */
    public TableDefinition withTypes(List<UserType> userTypes) {
        return new TableDefinition(table, leaderOid, columns, primaryKey, checks, userTypes);
    }

    public Optional<ColumnDefinition> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * One column.
     *
     * @param attnum     the leader's attribute number; 0 for a column known only from the log's
     *                   schema (the leader catalog had already moved on), matched by name
     * @param type       SQL that declares the type ({@code format_type}), e.g. {@code character varying(20)}
     * @param typeName   the type's catalog name ({@code int4}, {@code varchar}, {@code _text})
     * @param typmod     the type modifier (length, precision and scale), -1 if none
     * @param defaultExpression   the default as SQL, null if none
     * @param generatedExpression for a stored generated column its expression, else null
     * @param enumLabels          for a column of an enum type (or an array of one) the type's labels in
     *                            order, so a follower can create the type; else empty
     * @param domain              for a column of a domain type (or an array of one) the domain, so a
     *                            follower can create it; else null, and then left out of the JSON, so
     *                            that definitions without domains read exactly as before it existed
     */
    public record ColumnDefinition(String name, int attnum, String type, String typeName, int typmod,
                                   boolean notNull, String defaultExpression, String generatedExpression,
                                   List<String> enumLabels, @JsonInclude(JsonInclude.Include.NON_NULL) DomainDefinition domain) {

        public ColumnDefinition {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(typeName, "typeName");
            enumLabels = enumLabels == null ? List.of() : List.copyOf(enumLabels);
        }

        /** A column of a type that is neither an enum nor a domain. */
        public ColumnDefinition(String name, int attnum, String type, String typeName, int typmod,
                                boolean notNull, String defaultExpression, String generatedExpression) {
            this(name, attnum, type, typeName, typmod, notNull, defaultExpression, generatedExpression, List.of(), null);
        }

        /** The same column under another name, as a rename on the leader leaves it. */
        public ColumnDefinition renamed(String newName) {
            return new ColumnDefinition(newName, attnum, type, typeName, typmod, notNull, defaultExpression,
                    generatedExpression, enumLabels, domain);
        }

        @JsonIgnore
        public boolean isGenerated() {
            return generatedExpression != null;
        }
    }

    /** A CHECK constraint: its name and {@code pg_get_constraintdef} text, e.g. {@code CHECK ((qty > 0))}. */
    public record CheckConstraint(String name, String definition) {
    }
}
