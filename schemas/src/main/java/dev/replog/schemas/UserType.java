package dev.replog.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Objects;

/**
 * A type that is not built into PostgreSQL and that a table's columns use, directly or through
 * another such type, as the leader's catalog declares it. A table definition lists them in
 * dependency order (a composite's attribute types, a domain's base type and a range's subtype come
 * before it), so that a follower that lacks them can create them one after the other. Only the
 * fields of its kind are set; the others are left out of the JSON.
 *
 * @param kind           what sort of type it is
 * @param schema         the type's schema on the leader
 * @param name           the type's name ({@code pg_type.typname}), exact and unquoted
 * @param labels         an enum's labels, in their order
 * @param attributes     a composite type's attributes, in their order
 * @param domain         a domain's definition
 * @param subtype        a range's subtype, as SQL ({@code format_type}, schema-qualified unless built in)
 * @param subtypeDiff    a range's subtype difference function, a built-in function's name, else null
 * @param multirangeSchema the schema of a range's multirange type
 * @param multirange     the name of a range's multirange type, unquoted
 * @param extension      for a type an extension provides: the extension's name; the follower needs that extension
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record UserType(Kind kind, String schema, String name, List<String> labels, List<Attribute> attributes,
                       DomainDefinition domain, String subtype, String subtypeDiff, String multirangeSchema,
                       String multirange, String extension) {

    /** The kinds of user types a follower can get from the log. */
    public enum Kind {
        @JsonProperty("enum") ENUM,
        @JsonProperty("composite") COMPOSITE,
        @JsonProperty("domain") DOMAIN,
        @JsonProperty("range") RANGE,
        /** A type an extension provides: carried as "extension X provides type Y", never created from the log. */
        @JsonProperty("extension") EXTENSION
    }

    /** One attribute of a composite type: its name and its type as SQL (schema-qualified unless built in). */
    public record Attribute(String name, String type) {
        public Attribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    public UserType {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        labels = labels == null ? List.of() : List.copyOf(labels);
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
        String missing = switch (kind) {
            case DOMAIN -> domain == null ? "domain" : null;
            case RANGE -> subtype == null || multirange == null || multirangeSchema == null ? "subtype and multirange" : null;
            case EXTENSION -> extension == null ? "extension" : null;
            default -> null;
        };
        if (missing != null) {
            throw new IllegalArgumentException("user type " + schema + "." + name + " of kind " + kind.name().toLowerCase(java.util.Locale.ROOT) + " lacks its " + missing);
        }
        if (domain != null && (!domain.schema().equals(schema) || !domain.name().equals(name))) {
            throw new IllegalArgumentException("user type " + schema + "." + name + " carries the domain of " + domain.qualifiedName());
        }
    }

    public static UserType enumType(String schema, String name, List<String> labels) {
        return new UserType(Kind.ENUM, schema, name, labels, null, null, null, null, null, null, null);
    }

    public static UserType composite(String schema, String name, List<Attribute> attributes) {
        return new UserType(Kind.COMPOSITE, schema, name, null, attributes, null, null, null, null, null, null);
    }

    public static UserType domain(DomainDefinition domain) {
        return new UserType(Kind.DOMAIN, domain.schema(), domain.name(), null, null, domain, null, null, null, null, null);
    }

    public static UserType range(String schema, String name, String subtype, String subtypeDiff, String multirangeSchema,
                                 String multirange) {
        return new UserType(Kind.RANGE, schema, name, null, null, null, subtype, subtypeDiff, multirangeSchema, multirange, null);
    }

    public static UserType fromExtension(String schema, String name, String extension) {
        return new UserType(Kind.EXTENSION, schema, name, null, null, null, null, null, null, null, extension);
    }

    /** The type's name as SQL: schema-qualified, both parts quoted. */
    public String qualifiedName() {
        return SqlIdentifiers.quote(schema) + "." + SqlIdentifiers.quote(name);
    }

    /** A range's multirange type as SQL: schema-qualified, both parts quoted; null for other kinds. */
    @JsonIgnore
    public String qualifiedMultirange() {
        return multirange == null ? null : SqlIdentifiers.quote(multirangeSchema) + "." + SqlIdentifiers.quote(multirange);
    }
}
