package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TableIdTest {

    @Test
    void unquotedNamesSplitAtTheFirstDotAndDefaultToPublic() {
        assertEquals(new TableId("sales", "Order Lines"), TableId.parse(" sales . Order Lines "));
        assertEquals(new TableId("s", "a.b"), TableId.parse("s.a.b"));
        assertEquals(new TableId("public", "items"), TableId.parse("items"));
    }

    @Test
    void quotedNamesKeepDotsQuotesCommasAndSpaces() {
        assertEquals(new TableId("My.Schema", "we\"ird.Tab le"), TableId.parse("\"My.Schema\".\"we\"\"ird.Tab le\""));
        assertEquals(new TableId("public", " a,b "), TableId.parse("public.\" a,b \""));
        assertEquals(new TableId("x.y", "t"), TableId.parse("\"x.y\" . t"));
        assertEquals(new TableId("public", "\"q\""), TableId.parse("\"\"\"q\"\"\""));
    }

    @Test
    void aListSplitsOnlyAtCommasOutsideQuotes() {
        assertEquals(List.of(new TableId("public", "a"), new TableId("S", "b,c\"d"), new TableId("public", "*")),
                TableId.parseList("public.a, \"S\".\"b,c\"\"d\" ,, public.*"));
    }

    @Test
    void malformedQuotingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TableId.parse("\"open.t"));
        assertThrows(IllegalArgumentException.class, () -> TableId.parse("\"a\".\"b\".\"c\""));
        assertThrows(IllegalArgumentException.class, () -> TableId.parse("\"a\"x"));
        assertThrows(IllegalArgumentException.class, () -> TableId.parse("s.we\"ird"));
        assertThrows(IllegalArgumentException.class, () -> TableId.parse("\"\".t"));
    }
}
