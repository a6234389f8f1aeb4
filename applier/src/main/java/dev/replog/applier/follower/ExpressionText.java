package dev.replog.applier.follower;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;

/**
 * The first gate for SQL text of a schema change, before any of it reaches the follower: is the
 * text one expression that cannot leave the parentheses the applier puts around it? It is read
 * token by token the way PostgreSQL's lexer reads it, stricter where the two could disagree:
 * string literals and quoted names must close, and outside them there is no statement separator,
 * comment, dollar quote, parameter, backslash, brace, comma at the top level, or parenthesis or
 * bracket closed that the text did not open. What is left can only be parsed as one expression
 * inside {@code ( )} or be a syntax error; {@link ExpressionTree} then says which functions it calls.
 */
final class ExpressionText {

    /** What a CHECK constraint may carry after its expression, as {@code pg_get_constraintdef} prints it. */
    private static final Set<String> CHECK_FLAGS = Set.of("", "NO INHERIT", "NOT VALID", "NO INHERIT NOT VALID");

    /** A CHECK constraint cut into its expression and its flags ({@code NO INHERIT}, {@code NOT VALID}). */
    record Check(String expression, String flags) {
        String sql() {
            return "CHECK (" + expression + ")" + (flags.isEmpty() ? "" : " " + flags);
        }
    }

    private ExpressionText() {
    }

    /**
     * @param backslashEscapes whether the follower reads a backslash in a string literal as an escape
     *                         ({@code standard_conforming_strings} off)
     * @return why the text is not one expression, or empty if it is
     */
    static Optional<String> problem(String text, boolean backslashEscapes) {
        if (text == null || text.isBlank()) {
            return Optional.of("it is empty");
        }
        Deque<Character> open = new ArrayDeque<>();
        int i = 0;
        while (i < text.length()) {
            char ch = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (ch == '\'' || ch == '"') {
                if (i > 0 && isWordOrAmpersand(text.charAt(i - 1))) {
                    return Optional.of("it has a prefixed " + (ch == '"' ? "quoted name" : "string literal")
                            + " (E'', U&'', B'', X'', U&\"\"), which the follower reads with other rules");
                }
                int end = endOfQuoted(text, i, backslashEscapes && ch == '\'');
                if (end < 0) {
                    return Optional.of(ch == '"' ? "a quoted name is not closed" : "a string literal is not closed, or holds a backslash "
                            + "while the follower's standard_conforming_strings is off");
                }
                i = end + 1;
                continue;
            }
            if (ch == ';') {
                return Optional.of("it has a statement separator ';'");
            }
            if ((ch == '-' && next == '-') || (ch == '/' && next == '*')) {
                return Optional.of("it has a comment '" + ch + next + "'");
            }
            if (ch == '$') {
                return Optional.of("it has a '$' (a dollar quote or a parameter)");
            }
            if (ch == '\\' || ch == '{' || ch == '}') {
                return Optional.of("it has a '" + ch + "' outside a string literal");
            }
            if (ch == '(' || ch == '[') {
                open.push(ch);
            } else if (ch == ')' || ch == ']') {
                char opener = ch == ')' ? '(' : '[';
                if (open.isEmpty() || open.pop() != opener) {
                    return Optional.of("it has a '" + ch + "' that closes what it did not open");
                }
            } else if (ch == ',' && open.isEmpty()) {
                return Optional.of("it has a ',' outside parentheses");
            } else if (Character.isISOControl(ch) && !Character.isWhitespace(ch)) {
                return Optional.of("it has a control character U+" + String.format("%04X", (int) ch));
            } else if (ch > 127 && !Character.isLetterOrDigit(ch)) {
                return Optional.of("it has the character U+" + String.format("%04X", (int) ch) + " outside a string literal or quoted name");
            }
            i++;
        }
        return open.isEmpty() ? Optional.empty() : Optional.of("it leaves a '" + open.peek() + "' open");
    }

    /**
     * A CHECK constraint's definition as {@code pg_get_constraintdef} prints it: {@code CHECK (<expression>)}
     * and optionally {@code NO INHERIT} and {@code NOT VALID}. Whether the expression is one is up to {@link #problem}.
     *
     * @return empty if the definition has another shape
     */
    static Optional<Check> check(String definition) {
        String prefix = "CHECK (";
        if (definition == null || !definition.startsWith(prefix)) {
            return Optional.empty();
        }
        int close = closingParenthesis(definition, prefix.length() - 1);
        if (close < 0) {
            return Optional.empty();
        }
        String flags = definition.substring(close + 1).strip();
        if (!CHECK_FLAGS.contains(flags)) {
            return Optional.empty();
        }
        return Optional.of(new Check(definition.substring(prefix.length(), close), flags));
    }

    /** Index of the ')' that closes the '(' at {@code open}, skipping string literals and quoted names; -1 if none. */
    private static int closingParenthesis(String text, int open) {
        int depth = 0;
        int i = open;
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (ch == '\'' || ch == '"') {
                int end = endOfQuoted(text, i, false);
                if (end < 0) {
                    return -1;
                }
                i = end + 1;
                continue;
            }
            if (ch == '(') {
                depth++;
            } else if (ch == ')' && --depth == 0) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /**
     * Index of the quote that closes the string literal or quoted name starting at {@code start}
     * (a doubled quote stays inside), or -1 if it is not closed or, with {@code refuseBackslash}, holds a backslash.
     */
    private static int endOfQuoted(String text, int start, boolean refuseBackslash) {
        char quote = text.charAt(start);
        int j = start + 1;
        while (j < text.length()) {
            char c = text.charAt(j);
            if (c == quote) {
                if (j + 1 < text.length() && text.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j;
            }
            if (c == '\0' || (refuseBackslash && c == '\\')) {
                return -1;
            }
            j++;
        }
        return -1;
    }

    private static boolean isWordOrAmpersand(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '&' || c == '$';
    }
}
