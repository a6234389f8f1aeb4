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
    void unconstrainedNumericStaysUnconstrained() {
        assertEquals("numeric", new PgType("numeric", 131089, 0).toSql());
    }

    @Test
    void userDefinedTypesAreQuoted() {
        assertEquals("\"Mood\"", new PgType("Mood", null, null).toSql());
    }
}
