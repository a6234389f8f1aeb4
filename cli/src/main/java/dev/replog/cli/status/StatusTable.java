package dev.replog.cli.status;

import dev.replog.capture.CopyStates;
import dev.replog.applier.ApplyLag;
import dev.replog.schemas.Lsn;

import java.util.ArrayList;
import java.util.List;

/** {@code replog status} on a terminal: a few aligned tables, problems last. */
public final class StatusTable {

    private StatusTable() {
    }

    public static String render(StatusReport r) {
        StringBuilder out = new StringBuilder();
        log(out, r.log());
        if (r.capture() != null) {
            capture(out, r.capture());
        }
        for (FollowerStatus f : r.followers()) {
            follower(out, f);
        }
        for (ServeGroupStatus g : r.serveGroups()) {
            serveGroup(out, g);
        }
        if (r.healthy()) {
            out.append("HEALTHY\n");
        } else {
            out.append("UNHEALTHY: ").append(r.problems().size()).append(" problem(s)\n");
            r.problems().forEach(p -> out.append("  - ").append(p).append('\n'));
        }
        return out.toString();
    }

    private static void log(StringBuilder out, LogStatus l) {
        if (l.error() != null) {
            out.append("log: ").append(l.error()).append("\n\n");
        } else if (l.schemasTopic() == null) {
            out.append("log format ").append(l.format()).append("\n\n");
        } else {
            out.append("log format ").append(l.format()).append(", schemas in ").append(l.schemasTopic()).append(" (")
                    .append(l.schemas()).append(l.schemas() == 1 ? " schema" : " schemas").append(")\n\n");
        }
    }

    private static void capture(StringBuilder out, CaptureStatus c) {
        out.append("capture, slot ").append(c.slot());
        if (c.error() != null) {
            out.append(": ").append(c.error()).append("\n\n");
            return;
        }
        out.append(c.slotExists() ? c.active() ? " (active)" : " (not active)" : " (no such slot)").append('\n');
        Columns t = new Columns("CONFIRMED LSN", "RETAINED WAL", "LEADER LSN", "LAST PUBLISHED LSN");
        t.row(lsn(c.confirmedLsn()), c.retainedWalBytes() == null ? "-" : ApplyLag.Lag.bytes(c.retainedWalBytes()), lsn(c.leaderLsn()),
                lsn(c.publishedLsn()));
        out.append(t);
        if (!c.copiesWaiting().isEmpty()) {
            out.append("  copies not requested yet (waiting for the leader transactions open when they were published): ")
                    .append(String.join(", ", c.copiesWaiting())).append('\n');
        }
        for (CopyStates.CopyState copy : c.copies()) {
            if (copy.copying()) {
                out.append("  copying ").append(copy.table()).append(": ").append(copy.rows() == null ? 0 : copy.rows())
                        .append(" rows").append(copy.estimate() == null ? "" : " of ~" + copy.estimate())
                        .append(copy.percent() == null ? "" : String.format(" (%.0f%%)", copy.percent())).append('\n');
            }
        }
        out.append('\n');
    }

    private static void follower(StringBuilder out, FollowerStatus f) {
        out.append("follower ").append(f.name());
        if (f.error() != null) {
            out.append(": ").append(f.error()).append("\n\n");
            return;
        }
        out.append(" (").append(f.mode() == null ? "mode unknown" : f.mode() + " mode").append(", applied LSN ")
                .append(lsn(f.appliedLsn())).append(", ").append(f.deadLetters()).append(" dead letter(s))\n");
        Columns t = new Columns("TABLE", "STATE", "PART", "APPLIED LSN", "RECORDS", "WAL", "BEHIND", "DEAD");
        List<String> notes = new ArrayList<>();
        for (FollowerStatus.TableStatus table : f.tables()) {
            String state = table.state().label() + (table.snapshotPercent() == null ? "" : String.format(" %.0f%%", table.snapshotPercent()));
            for (FollowerStatus.PartitionStatus p : table.partitions()) {
                Lag lag = p.lag();
                t.row(table.table(), state, Integer.toString(p.partition()), lsn(p.appliedLsn()),
                        (lag.exact() ? "" : "~") + lag.records(), lag.walBytes() == null ? "?" : ApplyLag.Lag.bytes(lag.walBytes()),
                        lag.seconds() == null ? "?" : Health.seconds(lag.seconds()), Long.toString(table.deadLetters()));
            }
            if (table.stop() != null) {
                notes.add(table.table() + " stopped at partition " + table.stop().partition() + " offset " + table.stop().offset()
                        + (table.stop().lsn() == null ? "" : " (LSN " + table.stop().lsn() + ")") + ": " + table.stop().reason());
            }
        }
        out.append(t);
        notes.forEach(n -> out.append("  ").append(n).append('\n'));
        out.append('\n');
    }

    private static void serveGroup(StringBuilder out, ServeGroupStatus g) {
        out.append(g.name());
        if (g.error() != null) {
            out.append(": ").append(g.error()).append("\n\n");
            return;
        }
        out.append(" (applied LSN ").append(lsn(g.appliedLsn())).append(g.complete() ? ", complete" : ", INCOMPLETE").append(")\n");
        Columns t = new Columns("TABLE", "PART", "INSTANCE", "ROLE", "APPLIED LSN", "RECORDS", "BEHIND", "STOPPED");
        for (ServeGroupStatus.Partition p : g.partitions()) {
            t.row(p.table(), Integer.toString(p.partition()), p.instance(), p.role() + (p.answerable() ? "" : " (not answerable)"),
                    lsn(p.appliedLsn()), Long.toString(p.lagRecords()), Health.seconds(p.lagSeconds()),
                    p.stopped() == null ? "-" : p.stopped());
        }
        out.append(t);
        g.instanceErrors().forEach(e -> out.append("  instance ").append(e).append('\n'));
        out.append('\n');
    }

    private static String lsn(Lsn lsn) {
        return lsn == null ? "-" : lsn.toString();
    }

    /** Rows of cells, each column as wide as its widest cell, indented by two spaces. */
    private static final class Columns {
        private final List<String[]> rows = new ArrayList<>();

        Columns(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        @Override
        public String toString() {
            int[] width = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder(" ");
                for (int i = 0; i < r.length; i++) {
                    line.append(' ').append(r[i]).append(" ".repeat(width[i] - r[i].length())).append(' ');
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
            return sb.toString();
        }
    }
}
