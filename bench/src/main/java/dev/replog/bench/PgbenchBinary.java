package dev.replog.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PostgreSQL's pgbench, run as a process against the embedded servers over 127.0.0.1. */
final class PgbenchBinary implements TpcbDriver {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+)");

    private final Path executable;
    private final String source;
    private final String version;

    PgbenchBinary(Path executable, String source) {
        this.executable = executable;
        this.source = source;
        this.version = PgbenchLocator.version(executable).orElse("pgbench");
    }

    @Override
    public String description() {
        return version + " at " + executable + " (" + source + ")";
    }

    @Override
    public void initialize(BenchDatabase leader, int scale) throws Exception {
        // d drop, t create tables, G generate rows server-side, v vacuum, p primary keys.
        pgbench(leader, List.of("-i", "-q", "-I", "dtGvp", "-s", Integer.toString(scale)), Duration.ofMinutes(20));
        TpcbDriver.addHistoryKey(leader);
    }

    @Override
    public void createSchema(BenchDatabase follower, int scale) throws Exception {
        pgbench(follower, List.of("-i", "-q", "-I", "dtp", "-s", Integer.toString(scale)), Duration.ofMinutes(5));
        TpcbDriver.addHistoryKey(follower);
    }

    @Override
    public double run(BenchDatabase leader, int clients, Duration duration, int rate) throws Exception {
        List<String> args = new ArrayList<>(List.of("-n", "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
                "-T", Long.toString(duration.toSeconds())));
        if (rate > 0) {
            args.addAll(List.of("-R", Integer.toString(rate)));
        }
        String output = pgbench(leader, args, duration.plusMinutes(5));
        Matcher m = TPS.matcher(output);
        if (!m.find()) {
            throw new BenchFailure("no tps in pgbench output:\n" + output, null);
        }
        return Double.parseDouble(m.group(1));
    }

    private String pgbench(BenchDatabase db, List<String> args, Duration timeout) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-h", db.server().host(),
                "-p", Integer.toString(db.server().port()), "-U", db.server().user()));
        command.addAll(args);
        command.add(db.name());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        PgbenchLocator.libraryPath(executable).ifPresent(dir -> builder.environment().put("LD_LIBRARY_PATH", dir.toString()));
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new BenchFailure("pgbench did not finish within " + timeout, null);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new BenchFailure("pgbench " + args + " exited " + process.exitValue() + ":\n" + text, null);
        }
        return text;
    }
}
