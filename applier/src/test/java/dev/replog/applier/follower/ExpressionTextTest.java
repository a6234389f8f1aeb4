package dev.replog.applier.follower;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ExpressionTextTest {

    private static void assertOneExpression(String text) {
        assertEquals(Optional.empty(), ExpressionText.problem(text, false), text);
    }

    private static void assertRefused(String text, String because) {
        Optional<String> problem = ExpressionText.problem(text, false);
        assertTrue(problem.isPresent() && problem.get().contains(because), text + " -> " + problem);
    }

    @Test
    void whatTheLeaderCatalogPrintsIsOneExpression() {
        for (String text : List.of("'unnamed'::character varying", "42", "now()", "(qty * price)", "((qty)::numeric * price)",
                "nextval('t_id_seq'::regclass)", "((VALUE)::text ~ '^[A-Z]+$'::text)", "(VALUE >= (0)::numeric)",
                "'it''s; -- not /* a comment */'::text", "\"Odd \"\"col\"\"; name\" > 0", "ARRAY[1, 2]", "'{a,b}'::text[]",
                "CASE WHEN (a > 0) THEN 'x'::text ELSE 'y'::text END", "(id = ANY (ARRAY[1, 2, 3]))", "'ü'::text || größe")) {
            assertOneExpression(text);
        }
    }

    @Test
    void aSecondStatementACommentOrABreakOutOfTheParenthesesIsRefused() {
        assertRefused("1; DROP TABLE canary", "statement separator");
        assertRefused("1); DROP TABLE canary; --", "')' that closes what it did not open");
        assertRefused("1) NOT NULL, evil int DEFAULT (2", "')' that closes what it did not open");
        assertRefused("1 -- the rest", "comment '--'");
        assertRefused("1 /* the rest */", "comment '/*'");
        assertRefused("1, evil int", "',' outside parentheses");
        assertRefused("(1", "leaves a '(' open");
        assertRefused("ARRAY[1)", "closes what it did not open");
        assertRefused("'unclosed", "string literal is not closed");
        assertRefused("\"unclosed", "quoted name is not closed");
        assertRefused("$$x$$", "'$'");
        assertRefused("$1", "'$'");
        assertRefused("E'\\''", "prefixed string literal");
        assertRefused("U&\"d\\0061t\"", "prefixed");
        assertRefused("{fn now()}", "'{'");
        assertRefused("1 \\g", "'\\'");
        assertRefused("1\u0000", "control character");
        assertRefused("1 \uFF1B 2", "U+FF1B");
        assertRefused(" ", "empty");
    }

    @Test
    void aBackslashInAStringIsRefusedWhenTheFollowerReadsItAsAnEscape() {
        assertEquals(Optional.empty(), ExpressionText.problem("'a\\'", false));
        assertTrue(ExpressionText.problem("'a\\'); DROP TABLE canary; --'", true).isPresent());
    }

    @Test
    void aCheckIsItsExpressionInParenthesesWithOnlyItsKnownFlagsAfter() {
        assertEquals(Optional.of(new ExpressionText.Check("(qty >= 0)", "")), ExpressionText.check("CHECK ((qty >= 0))"));
        assertEquals(Optional.of(new ExpressionText.Check("(a = ')')", "NO INHERIT NOT VALID")),
                ExpressionText.check("CHECK ((a = ')')) NO INHERIT NOT VALID"));
        assertEquals("CHECK ((a > 0)) NOT VALID", ExpressionText.check("CHECK ((a > 0)) NOT VALID").orElseThrow().sql());
        assertEquals(Optional.empty(), ExpressionText.check("CHECK ((a > 0)); DROP TABLE canary; --"));
        assertEquals(Optional.empty(), ExpressionText.check("CHECK ((a > 0)) NOT VALID, CONSTRAINT x CHECK (true)"));
        assertEquals(Optional.empty(), ExpressionText.check("UNIQUE (a)"));
        assertEquals(Optional.empty(), ExpressionText.check("CHECK ((a > 0)"));
        // The split is only where the expression ends: what is inside is then checked like any expression.
        ExpressionText.Check inside = ExpressionText.check("CHECK ((a > 0); DROP TABLE canary; --)").orElseThrow();
        assertTrue(ExpressionText.problem(inside.expression(), false).isPresent());
    }
}
