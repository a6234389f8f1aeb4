package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LsnTest {

    @Test
    void printsAndParsesPostgresForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertEquals((0x16L << 32) | 0xB374D848L, lsn.value());
        assertEquals("16/B374D848", lsn.toString());
    }

    @Test
    void comparesAsUnsignedPositions() {
        assertTrue(Lsn.parse("1/0").isAfter(Lsn.parse("0/FFFFFFFF")));
        assertTrue(new Lsn(-1).isAfter(new Lsn(1)), "the top half of the 64-bit range is still a later position");
    }

    @Test
    void rejectsTextThatIsNotAnLsn() {
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("12345"));
    }
}
