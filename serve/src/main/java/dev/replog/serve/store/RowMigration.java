package dev.replog.serve.store;

import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.ColumnDefinition;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a stored row becomes when its table's definition changes: columns matched by the leader's
 * attribute number (so a rename keeps the value), dropped columns removed, added columns given their
 * default where it is a constant that reads back as itself (a quoted string for a string type, an
 * integer for an integer type), else NULL. The leader fills an added column of existing rows without
 * logging a change per row, so nothing in the log says what a default like {@code now()} gave.
 */
record RowMigration(List<Step> steps, boolean isIdentity) {

    /** One column of the new definition: where its value comes from. */
    record Step(String name, String from, String constant) {
    }

    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'(?:::[A-Za-z_ \"().0-9]+)?");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final List<String> STRING_TYPES = List.of("text", "varchar", "citext", "name");
    private static final List<String> INTEGER_TYPES = List.of("int2", "int4", "int8");

    static RowMigration between(TableDefinition previous, TableDefinition next) {
        boolean identity = previous.columns().size() == next.columns().size();
        List<Step> steps = new java.util.ArrayList<>();
        for (ColumnDefinition c : next.columns()) {
            Optional<ColumnDefinition> old = previous.columns().stream()
                    .filter(p -> c.attnum() != 0 && p.attnum() != 0 ? p.attnum() == c.attnum() : p.name().equals(c.name()))
                    .findFirst();
            if (old.isPresent()) {
                identity &= old.get().name().equals(c.name());
                steps.add(new Step(c.name(), old.get().name(), null));
            } else {
                identity = false;
                steps.add(new Step(c.name(), null, constantDefault(c)));
            }
        }
        return new RowMigration(steps, identity);
    }

    Map<String, String> apply(Map<String, String> row) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Step s : steps) {
            if (s.from() == null) {
                out.put(s.name(), s.constant());
            } else if (row.containsKey(s.from())) {
                out.put(s.name(), row.get(s.from()));
            }
        }
        return out;
    }

    static String constantDefault(ColumnDefinition c) {
        String d = c.defaultExpression();
        if (d == null || c.isGenerated()) {
            return null;
        }
        d = d.trim();
        Matcher quoted = QUOTED.matcher(d);
        if (STRING_TYPES.contains(c.typeName()) && quoted.matches()) {
            return quoted.group(1).replace("''", "'");
        }
        if (INTEGER_TYPES.contains(c.typeName()) && INTEGER.matcher(d).matches()) {
            return d;
        }
        return null;
    }
}
