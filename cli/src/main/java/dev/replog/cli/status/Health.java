package dev.replog.cli.status;

import java.util.ArrayList;
import java.util.List;

/** What makes a status unhealthy: one line per problem, naming where it is. */
final class Health {

    private Health() {
    }

    /** @param logError why the log's tail could not be read, else null (said by capture's entry if there is one) */
    static List<String> problems(CaptureStatus capture, String logError, List<FollowerStatus> followers, List<ServeGroupStatus> groups,
                                 double maxLagSeconds) {
        List<String> out = new ArrayList<>();
        if (capture == null && logError != null) {
            out.add("log: " + logError);
        }
        if (capture != null) {
            if (capture.error() != null) {
                out.add("capture: " + capture.error());
            } else if (!capture.slotExists()) {
                out.add("capture: the leader has no slot '" + capture.slot() + "'");
            } else if (!capture.active()) {
                out.add("capture: slot '" + capture.slot() + "' is not active (no capture is streaming from it)");
            }
        }
        for (FollowerStatus f : followers) {
            if (f.error() != null) {
                out.add("follower " + f.name() + ": " + f.error());
                continue;
            }
            for (FollowerStatus.TableStatus t : f.tables()) {
                if (t.stop() != null) {
                    out.add("follower " + f.name() + ": table " + t.table() + " stopped at partition " + t.stop().partition()
                            + " offset " + t.stop().offset() + ": " + t.stop().reason());
                } else if (tooFar(t.lag().seconds(), maxLagSeconds)) {
                    out.add("follower " + f.name() + ": table " + t.table() + " is " + seconds(t.lag().seconds())
                            + " behind the leader (more than " + seconds(maxLagSeconds) + ")");
                }
            }
        }
        for (ServeGroupStatus g : groups) {
            if (g.error() != null) {
                out.add(g.name() + ": " + g.error());
                continue;
            }
            if (!g.complete()) {
                out.add(g.name() + ": not every partition of every table has an active instance that can answer");
            }
            g.instanceErrors().forEach(e -> out.add(g.name() + ": instance " + e));
            for (ServeGroupStatus.Partition p : g.partitions()) {
                if (!p.role().equals("active")) {
                    continue;
                }
                if (p.stopped() != null) {
                    out.add(g.name() + ": table " + p.table() + " partition " + p.partition() + " on " + p.instance()
                            + " stopped: " + p.stopped());
                } else if (tooFar(p.lagSeconds(), maxLagSeconds)) {
                    out.add(g.name() + ": table " + p.table() + " partition " + p.partition() + " is " + seconds(p.lagSeconds())
                            + " behind the leader (more than " + seconds(maxLagSeconds) + ")");
                }
            }
        }
        return out;
    }

    private static boolean tooFar(Double seconds, double max) {
        return seconds != null && seconds > max;
    }

    static String seconds(double s) {
        return String.format("%.1f s", s);
    }
}
