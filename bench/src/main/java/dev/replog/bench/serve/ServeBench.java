package dev.replog.bench.serve;

import dev.replog.bench.BenchFailure;
import dev.replog.bench.ResultFile;
import dev.replog.embedded.PostgresServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code replog bench --only serve}: read replicas under load on servers of their own (a leader
 * PostgreSQL, a broker, capture and the serve group in child JVMs), its figures printed with the
 * targets they are held to and written to {@code <out>/<stamp>-serve.txt}.
 */
public final class ServeBench {

    private static final String DATABASE = "servebench";

    private ServeBench() {
    }

    /** @return true if the run itself went right (whether the targets were met is in the figures) */
    public static boolean run(ServeBenchOptions shape, Path out, PrintStream console) throws Exception {
        Path dir = Files.createTempDirectory("replog-serve-bench-");
        console.println("serve: starting a leader PostgreSQL and a Kafka broker in " + dir + " ...");
        try (PostgresServer leader = PostgresServer.start("leader", dir)) {
            leader.createDatabase(DATABASE);
            ServeBenchResult result;
            try {
                result = new ServeRun(shape.in(dir), console).run(leader, DATABASE);
            } catch (BenchFailure e) {
                String failed = "serve: FAILED: " + e.getMessage() + " (logs in " + dir + ")\n";
                console.print(failed);
                console.println("serve failure written to " + ResultFile.write(out, "-serve.txt", failed.getBytes(StandardCharsets.UTF_8)));
                return false;
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            result.print(new PrintStream(text, true, StandardCharsets.UTF_8));
            console.print(text.toString(StandardCharsets.UTF_8));
            Path file = ResultFile.write(out, "-serve.txt", text.toByteArray());
            console.println("serve figures written to " + file + "; service logs in " + dir);
            return result.passed();
        }
    }
}
