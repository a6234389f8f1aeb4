package dev.replog.cli.status;

import dev.replog.capture.CopyStates;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.Lsn;

/**
 * {@code replog status --json}: the report in the schema docs/status.md documents, version
 * {@link StatusReport#SCHEMA}. Every field is always present (null when unknown), in a fixed order.
 */
public final class StatusJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusJson() {
    }

    public static String render(StatusReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", StatusReport.SCHEMA);
        root.put("generatedAt", r.generatedAt().toString());
        root.put("healthy", r.healthy());
        root.put("maxLagSeconds", r.maxLagSeconds());
        ArrayNode problems = root.putArray("problems");
        r.problems().forEach(problems::add);
        ObjectNode log = root.putObject("log");
        log.put("format", r.log().format());
        log.put("schemasTopic", r.log().schemasTopic());
        log.put("schemas", r.log().schemas());
        log.put("error", r.log().error());
        if (r.capture() == null) {
            root.putNull("capture");
        } else {
            capture(root.putObject("capture"), r.capture());
        }
        ArrayNode followers = root.putArray("followers");
        r.followers().forEach(f -> follower(followers.addObject(), f));
        ArrayNode groups = root.putArray("serveGroups");
        r.serveGroups().forEach(g -> serveGroup(groups.addObject(), g));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serialises", e);
        }
    }

    private static void capture(ObjectNode o, CaptureStatus c) {
        o.put("slot", c.slot());
        o.put("slotExists", c.slotExists());
        o.put("active", c.active());
        o.put("confirmedFlushLsn", text(c.confirmedLsn()));
        o.put("retainedWalBytes", c.retainedWalBytes());
        o.put("leaderLsn", text(c.leaderLsn()));
        o.put("lastPublishedLsn", text(c.publishedLsn()));
        ArrayNode waiting = o.putArray("copiesWaiting");
        c.copiesWaiting().forEach(waiting::add);
        ArrayNode copies = o.putArray("copies");
        for (CopyStates.CopyState copy : c.copies()) {
            ObjectNode co = copies.addObject();
            co.put("table", copy.table().toString());
            co.put("state", copy.state());
            co.put("rows", copy.rows());
            co.put("rowsEstimate", copy.estimate());
            co.put("percent", copy.percent());
            co.put("startedAt", copy.startedAt() == null ? null : copy.startedAt().toString());
            co.put("finishedAt", copy.finishedAt() == null ? null : copy.finishedAt().toString());
        }
        o.put("error", c.error());
    }

    private static void follower(ObjectNode o, FollowerStatus f) {
        o.put("name", f.name());
        o.put("reachable", f.error() == null);
        o.put("error", f.error());
        o.put("mode", f.mode());
        o.put("appliedLsn", text(f.appliedLsn()));
        lag(o, f.lag());
        o.put("deadLetters", f.deadLetters());
        ArrayNode tables = o.putArray("tables");
        for (FollowerStatus.TableStatus t : f.tables()) {
            ObjectNode to = tables.addObject();
            to.put("table", t.table());
            to.put("topic", t.topic());
            to.put("state", t.state().label());
            if (t.stop() == null) {
                to.putNull("stoppedAt");
            } else {
                ObjectNode s = to.putObject("stoppedAt");
                s.put("partition", t.stop().partition());
                s.put("offset", t.stop().offset());
                s.put("lsn", text(t.stop().lsn()));
                s.put("reason", t.stop().reason());
                s.put("failedAt", t.stop().failedAt() == null ? null : t.stop().failedAt().toString());
            }
            to.put("snapshotPercent", t.snapshotPercent());
            to.put("deadLetters", t.deadLetters());
            lag(to, t.lag());
            ArrayNode parts = to.putArray("partitions");
            for (FollowerStatus.PartitionStatus p : t.partitions()) {
                ObjectNode po = parts.addObject();
                po.put("partition", p.partition());
                po.put("appliedOffset", p.appliedOffset());
                po.put("appliedLsn", text(p.appliedLsn()));
                po.put("snapshotPending", p.snapshotPending());
                lag(po, p.lag());
            }
        }
    }

    private static void lag(ObjectNode parent, Lag lag) {
        if (lag == null) {
            parent.putNull("lag");
            return;
        }
        ObjectNode o = parent.putObject("lag");
        o.put("records", lag.records());
        o.put("exact", lag.exact());
        o.put("walBytes", lag.walBytes());
        o.put("seconds", lag.seconds());
    }

    private static void serveGroup(ObjectNode o, ServeGroupStatus g) {
        o.put("name", g.name());
        o.put("reachable", g.error() == null);
        o.put("error", g.error());
        o.put("appliedLsn", text(g.appliedLsn()));
        o.put("complete", g.complete());
        ArrayNode errors = o.putArray("instanceErrors");
        g.instanceErrors().forEach(errors::add);
        ArrayNode parts = o.putArray("partitions");
        for (ServeGroupStatus.Partition p : g.partitions()) {
            ObjectNode po = parts.addObject();
            po.put("table", p.table());
            po.put("partition", p.partition());
            po.put("instance", p.instance());
            po.put("role", p.role());
            po.put("answerable", p.answerable());
            po.put("appliedLsn", text(p.appliedLsn()));
            po.put("lagRecords", p.lagRecords());
            po.put("lagSeconds", p.lagSeconds());
            po.put("stopped", p.stopped());
        }
    }

    private static String text(Lsn lsn) {
        return lsn == null ? null : lsn.toString();
    }
}
