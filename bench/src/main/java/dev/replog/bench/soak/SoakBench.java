package dev.replog.bench.soak;

import dev.replog.bench.ResultFile;
import dev.replog.embedded.PostgresServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code replog bench --only soak}: the long soak on servers of its own (a leader and a follower
 * PostgreSQL, a broker in a child JVM), its figures printed and written to {@code <out>/<stamp>-soak.txt}.
 */
public final class SoakBench {

    private SoakBench() {
    }

    /** @return true if the run passed */
    public static boolean run(SoakOptions shape, Path out, PrintStream console) throws Exception {
        Path serverDir = Files.createTempDirectory("replog-soak-");
        console.println("soak: starting leader and follower PostgreSQL and a Kafka broker in " + serverDir + " ...");
        try (PostgresServer leader = PostgresServer.start("leader", serverDir);
             PostgresServer follower = PostgresServer.start("follower", serverDir)) {
            leader.createDatabase("soak");
            follower.createDatabase("soak_row");
            follower.createDatabase("soak_tx");
            SoakOptions o = new SoakOptions(shape.snapshotRows(), shape.load(), shape.clients(), shape.perClientTps(),
                    shape.partitions(), shape.heap(), shape.brokerOutage(), shape.clientTimeout(), shape.catchUp(),
                    shape.mainClass(), serverDir, shape.logFormat());
            SoakResult result = new SoakRun(o).run(leader, "soak", follower, "soak_row", "soak_tx");
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            result.print(new PrintStream(text, true, StandardCharsets.UTF_8));
            console.print(text.toString(StandardCharsets.UTF_8));
            Path file = ResultFile.write(out, "-soak.txt", text.toByteArray());
            console.println("soak figures written to " + file);
            return result.passed();
        }
    }
}
