package dev.replog.cli.status;

import dev.replog.cli.status.FollowerStatus.PartitionStatus;
import dev.replog.cli.status.FollowerStatus.State;
import dev.replog.cli.status.FollowerStatus.Stop;
import dev.replog.cli.status.FollowerStatus.TableStatus;
import dev.replog.schemas.Lsn;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code replog status} counts as unhealthy (exit code 3), and what it does not. */
class HealthTest {

    private static final Lsn AT = Lsn.parse("0/16B3F20");
    private static final CaptureStatus STREAMING = new CaptureStatus("replog", true, true, AT, 100L, AT, AT, List.of(), List.of(), null);

    @Test
    void aFollowerBehindByMoreThanTheLimitIsAProblemAndOneAtTheLimitIsNot() {
        FollowerStatus f = follower(table("public.a", State.RUNNING, null, lag(60.0)), table("public.b", State.RUNNING, null, lag(60.5)));
        assertEquals(List.of("follower f: table public.b is 60.5 s behind the leader (more than 60.0 s)"),
                Health.problems(STREAMING, null, List.of(f), List.of(), 60));
    }

    @Test
    void aStoppedTableAnUnreachableFollowerAnInactiveSlotAndAnUnreadableLogAreProblemsButDeadLettersAreNot() {
        Stop stop = new Stop(2, 41, AT, "apply error SQLSTATE 23514: check violated", Instant.EPOCH);
        TableStatus withDeadLetters = new TableStatus("public.b", "p.public.b", State.CAUGHT_UP, null, null, 7, Lag.NONE, List.of());
        CaptureStatus inactive = new CaptureStatus("replog", true, false, AT, 100L, AT, AT, List.of(), List.of(), null);
        assertEquals(List.of("capture: slot 'replog' is not active (no capture is streaming from it)",
                        "follower f: table public.a stopped at partition 2 offset 41: apply error SQLSTATE 23514: check violated",
                        "follower g: connection refused"),
                Health.problems(inactive, null, List.of(follower(table("public.a", State.STOPPED, stop, lag(1.0)), withDeadLetters),
                        FollowerStatus.unreachable("g", "connection refused")), List.of(), 60));
        assertEquals(List.of("log: cannot read p.transactions"), Health.problems(null, "cannot read p.transactions", List.of(), List.of(), 60));
    }

    @Test
    void aServeGroupCountsItsActivePartitionsOnlyAndMustBeComplete() {
        ServeGroupStatus.Partition laggingStandby = new ServeGroupStatus.Partition("public.a", 0, "h:2", "standby", false, AT, 900, 500, null);
        ServeGroupStatus.Partition laggingActive = new ServeGroupStatus.Partition("public.a", 1, "h:1", "active", true, AT, 900, 61, null);
        ServeGroupStatus g = new ServeGroupStatus("serve group h:1", null, AT, false, List.of(laggingStandby, laggingActive), List.of());
        assertEquals(List.of("serve group h:1: not every partition of every table has an active instance that can answer",
                        "serve group h:1: table public.a partition 1 is 61.0 s behind the leader (more than 60.0 s)"),
                Health.problems(STREAMING, null, List.of(), List.of(g), 60));
    }

    private static FollowerStatus follower(TableStatus... tables) {
        return new FollowerStatus("f", null, "row", AT, Lag.combine(List.of(tables).stream().map(TableStatus::lag).toList()), 0,
                List.of(tables));
    }

    private static TableStatus table(String name, State state, Stop stop, Lag lag) {
        return new TableStatus(name, "p." + name, state, stop, null, 0, lag, List.of(new PartitionStatus(0, 10L, AT, lag, false)));
    }

    private static Lag lag(double seconds) {
        return new Lag(5, true, 1000L, seconds);
    }
}
