package dev.replog.applier.follower;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An expression as the follower parsed it: the text of its {@code pg_node_tree}
 * ({@code pg_attrdef.adbin}, {@code pg_constraint.conbin}, {@code pg_type.typdefaultbin}), read for
 * what running it would call. The parse is PostgreSQL's own, so a function cannot hide from it in
 * the text (quoting, casts, operators, schema-qualified names all end up as oids here).
 */
final class ExpressionTree {

    /**
     * Node types an expression of a schema change may consist of: values, columns, casts, operators,
     * function calls (checked one by one), CASE, COALESCE, GREATEST/LEAST, arrays, rows, NULL and
     * boolean tests, domain checks, subscripts, a composite's field and the SQL value functions (CURRENT_DATE, ...).
     * Anything else (a subquery, an aggregate, XML, JSON constructors, ...) is refused.
     */
    private static final Set<String> NODES = Set.of("CONST", "VAR", "FUNCEXPR", "OPEXPR", "DISTINCTEXPR", "NULLIFEXPR",
            "SCALARARRAYOPEXPR", "BOOLEXPR", "RELABELTYPE", "COERCEVIAIO", "ARRAYCOERCEEXPR", "CASEEXPR", "CASEWHEN",
            "CASETESTEXPR", "ARRAYEXPR", "ROWEXPR", "COALESCEEXPR", "MINMAXEXPR", "SQLVALUEFUNCTION", "NULLTEST",
            "BOOLEANTEST", "COERCETODOMAIN", "COERCETODOMAINVALUE", "COLLATEEXPR", "SUBSCRIPTINGREF", "FIELDSELECT");

    /**
     * Built-in functions (schema {@code pg_catalog}) an expression may call by name: they compute a
     * value from their arguments, the clock or a random source, and touch nothing else. Casts between
     * built-in types are allowed besides, and {@code nextval} on a sequence the table owns.
     */
    static final Set<String> FUNCTIONS = Set.of(
            // time
            "now", "statement_timestamp", "transaction_timestamp", "clock_timestamp", "timezone", "date_trunc", "date_part",
            "extract", "date_bin", "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval",
            "to_timestamp", "to_date", "to_char", "to_number", "age", "isfinite", "justify_days", "justify_hours",
            "justify_interval",
            // random values
            "random", "gen_random_uuid", "uuidv4", "uuidv7",
            // text
            "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length",
            "btrim", "ltrim", "rtrim", "substr", "substring", "left", "right", "lpad", "rpad", "replace", "translate",
            "concat", "concat_ws", "position", "strpos", "starts_with", "split_part", "repeat", "reverse", "md5",
            "sha224", "sha256", "sha384", "sha512", "encode", "decode", "to_hex", "chr", "ascii", "format", "overlay",
            "regexp_replace", "regexp_like", "regexp_count", "regexp_substr", "regexp_instr", "regexp_match",
            "normalize", "is_normalized", "casefold",
            // numbers
            "abs", "round", "trunc", "floor", "ceil", "ceiling", "mod", "div", "power", "pow", "sqrt", "cbrt", "exp",
            "ln", "log", "log10", "sign", "scale", "trim_scale", "min_scale", "width_bucket", "gcd", "lcm", "pi",
            // arrays
            "array_length", "array_lower", "array_upper", "array_ndims", "array_dims", "cardinality", "array_position",
            "array_positions", "array_to_string", "string_to_array", "array_append", "array_prepend", "array_cat",
            "array_remove", "array_replace",
            // json
            "to_json", "to_jsonb", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
            "json_typeof", "jsonb_typeof", "json_array_length", "jsonb_array_length", "jsonb_strip_nulls",
            "jsonb_path_exists", "jsonb_path_match", "jsonb_set", "jsonb_insert",
            // network addresses, nulls
            "host", "family", "masklen", "network", "broadcast", "netmask", "num_nulls", "num_nonnulls");

    /** How PostgreSQL came to call a function ({@code CoercionForm}): 1 and 2 are casts. */
    private static final int EXPLICIT_CAST = 1;
    private static final int IMPLICIT_CAST = 2;

    private static final Pattern NODE = Pattern.compile("(?<!\\\\)\\{([A-Z][A-Z_]*)");
    private static final Pattern FUNCTION_CALL = Pattern.compile("\\{FUNCEXPR :funcid (\\d+) [^{}]*?:funcformat (\\d+)");
    private static final Pattern OPERATOR = Pattern.compile(":opno (\\d+)");
    private static final Pattern OPERATOR_FUNCTION = Pattern.compile(":(?:op|hash|neg)funcid (\\d+)");
    /** nextval with a regclass constant (not text, which could name any sequence when it runs). */
    private static final Pattern NEXTVAL_OF_REGCLASS = Pattern.compile(
            "\\{FUNCEXPR :funcid (\\d+) [^{}]*?:args \\(\\{CONST :consttype 2205 ");

    /** A function call in the tree and whether it is a cast. */
    record Call(long function, boolean cast) {
    }

    private final String tree;

    ExpressionTree(String tree) {
        this.tree = tree;
    }

    /** The node types used that are not on the list; empty if none. */
    Set<String> unexpectedNodes() {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = NODE.matcher(tree);
        while (m.find()) {
            if (!NODES.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /**
     * Every function call (FUNCEXPR). If the tree holds a FUNCEXPR this reader cannot take apart,
     * an {@link IllegalStateException}: nothing it could not read is ever let through.
     */
    List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        Matcher m = FUNCTION_CALL.matcher(tree);
        while (m.find()) {
            int format = Integer.parseInt(m.group(2));
            calls.add(new Call(Long.parseLong(m.group(1)), format == EXPLICIT_CAST || format == IMPLICIT_CAST));
        }
        if (calls.size() != count("{FUNCEXPR")) {
            throw new IllegalStateException("cannot read every function call of the expression's parse tree");
        }
        return calls;
    }

    /** Operators used (by OPEXPR, DISTINCTEXPR, NULLIFEXPR, SCALARARRAYOPEXPR). */
    Set<Long> operators() {
        return numbers(OPERATOR);
    }

    /** The functions those operators run. */
    Set<Long> operatorFunctions() {
        Set<Long> out = numbers(OPERATOR_FUNCTION);
        out.remove(0L); // no hash or negator function
        return out;
    }

    /** How many calls of {@code function} take a regclass constant as their first argument. */
    int callsWithRegclassConstant(long function) {
        int n = 0;
        Matcher m = NEXTVAL_OF_REGCLASS.matcher(tree);
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == function) {
                n++;
            }
        }
        return n;
    }

    private Set<Long> numbers(Pattern p) {
        Set<Long> out = new LinkedHashSet<>();
        Matcher m = p.matcher(tree);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    private int count(String s) {
        int n = 0;
        for (int i = tree.indexOf(s); i >= 0; i = tree.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }
}
