package dev.replog.schemas;

import java.util.Locale;
import java.util.Set;

/**
 * A PostgreSQL column type as the leader declared it, rebuilt into the SQL that declares the same
 * type on a follower.
 *
 * @param name   type name as PostgreSQL reports it ({@code int4}, {@code _text} for text[], a user type)
 * @param length type modifier: character length, numeric precision, bit length; null if none
 * @param scale  numeric scale; null if none
 */
public record PgType(String name, Integer length, Integer scale) {

    /** Largest precision PostgreSQL accepts for numeric; larger "lengths" mean "unconstrained". */
    private static final int MAX_NUMERIC_PRECISION = 1000;

    private static final Set<String> WITH_LENGTH = Set.of("varchar", "bpchar", "bit", "varbit");

    public PgType {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("type name is empty");
        }
    }

    public static PgType of(String name) {
        return new PgType(name, null, null);
    }

    public boolean isArray() {
        return name.startsWith("_");
    }

    /** The element type of an array type, or this type itself. */
    public PgType elementType() {
        return isArray() ? new PgType(name.substring(1), length, scale) : this;
    }

    /** Whether the element type is one of PostgreSQL's own, as opposed to user-defined. */
    public boolean isBuiltIn() {
        return BuiltInTypes.isBuiltIn(baseName());
    }

    public String baseName() {
        return elementType().name.toLowerCase(Locale.ROOT);
    }

    /** SQL that declares this type, e.g. {@code varchar(20)}, {@code numeric(10,2)}, {@code int4[]}. */
    public String toSql() {
        String base = baseName();
        String declared = base.equals("char") ? "\"char\""
                : BuiltInTypes.isBuiltIn(base) ? base : SqlIdentifiers.quote(elementType().name);
        if (length != null && length > 0 && WITH_LENGTH.contains(base) && length < Integer.MAX_VALUE) {
            declared += "(" + length + ")";
        } else if (base.equals("numeric") && length != null && length > 0 && length <= MAX_NUMERIC_PRECISION) {
            declared += "(" + length + "," + (scale == null ? 0 : scale) + ")";
        }
        return isArray() ? declared + "[]" : declared;
    }
}
