package dev.replog.topology;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapAndStartOverAfterAReset() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3));
        assertEquals(Duration.ofMillis(500), b.next());
        assertEquals(Duration.ofSeconds(1), b.next());
        assertEquals(Duration.ofSeconds(2), b.next());
        assertEquals(Duration.ofSeconds(3), b.next());
        assertEquals(Duration.ofSeconds(3), b.next());
        assertEquals(5, b.attempt());
        b.reset();
        assertEquals(0, b.attempt());
        assertEquals(Duration.ofMillis(500), b.next());
    }

    @Test
    void aCapBelowTheFirstDelayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
