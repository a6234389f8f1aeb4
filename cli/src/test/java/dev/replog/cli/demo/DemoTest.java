package dev.replog.cli.demo;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replog demo} on its own embedded servers: it ends as soon as the follower has caught up. */
class DemoTest {

    @Test
    void demoEndsAsSoonAsTheFollowerHasCaughtUpNotAtItsCatchUpTimeout() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new DemoCommand()).execute("--seconds", "3", "--catch-up-timeout", "120");
        } finally {
            System.setOut(original);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, code, text);
        Matcher caughtUp = Pattern.compile("Follower caught up in ([0-9.]+) s\\.").matcher(text);
        assertTrue(caughtUp.find(), "the demo says when the follower caught up:\n" + text);
        double seconds = Double.parseDouble(caughtUp.group(1));
        assertTrue(seconds < 20, "catch-up took " + seconds + " s of its 120 s timeout");
        assertTrue(text.contains("Verdict: MATCH"), text);
    }
}
