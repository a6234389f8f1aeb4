package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PgTypeTest {

    @Test
    void declaresLengthsAndPrecisionsLikeTheLeader() {
        assertEquals("varchar(20)", new PgType("varchar", 20, null).toSql());
        assertEquals("numeric(12,2)", new PgType("numeric", 12, 2).toSql());
        assertEquals("int4[]", new PgType("_int4", null, null).toSql());
        assertEquals("text", new PgType("text", Integer.MAX_VALUE, null).toSql());
    }

    @Test
    void oneByteCharIsQuotedAndCharacterNKeepsItsLength() {
        assertEquals("\"char\"", new PgType("char", 1, null).toSql());
        assertEquals("\"char\"[]", new PgType("_char", null, null).toSql());
        assertEquals("bpchar(3)", new PgType("bpchar", 3, null).toSql());
        assertEquals("bit(5)", new PgType("bit", 5, null).toSql());
        assertEquals("varbit(7)", new PgType("varbit", 7, null).toSql());
    }

    @Test
    void everyBuiltInTypeIsDeclaredUnquoted() {
        assertEquals("pg_lsn", new PgType("pg_lsn", null, null).toSql());
        assertEquals("int4multirange[]", new PgType("_int4multirange", null, null).toSql());
        assertEquals("regclass", new PgType("regclass", null, null).toSql());
    }

    @Test
    void unconstrainedNumericStaysUnconstrained() {
        assertEquals("numeric", new PgType("numeric", 131089, 0).toSql());
    }

    @Test
    void userDefinedTypesAreQuoted() {
        assertEquals("\"Mood\"", new PgType("Mood", null, null).toSql());
    }
}
