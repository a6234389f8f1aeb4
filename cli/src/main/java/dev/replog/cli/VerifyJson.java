package dev.replog.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.applier.verify.RowDifference;
import dev.replog.applier.verify.TableVerification;

import java.util.List;
import java.util.Locale;

/** {@code replog verify --json}: the document whose schema docs/verify.md ("JSON") keeps stable. */
final class VerifyJson {

    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private VerifyJson() {
    }

    static String of(List<TableVerification> results, boolean equal, boolean online, boolean repair) {
        ObjectNode doc = head(equal, online, repair);
        ArrayNode tables = doc.putArray("tables");
        for (TableVerification r : results) {
            tables.add(table(r));
        }
        return doc.toPrettyString();
    }

    static String noTables(String problem, boolean online, boolean repair) {
        ObjectNode doc = head(false, online, repair);
        doc.put("problem", problem);
        doc.putArray("tables");
        return doc.toPrettyString();
    }

    private static ObjectNode head(boolean equal, boolean online, boolean repair) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("version", VERSION);
        doc.put("equal", equal);
        doc.put("online", online);
        doc.put("repair", repair);
        return doc;
    }

    private static ObjectNode table(TableVerification r) {
        ObjectNode t = MAPPER.createObjectNode();
        t.put("table", r.tableName());
        t.put("schema", r.table().schema());
        t.put("name", r.table().table());
        t.put("verdict", r.verdict().name());
        t.put("problem", r.problem());
        t.put("leaderRows", r.leaderRows());
        t.put("followerRows", r.followerRows());
        t.put("checksum", r.checksum());
        t.put("chunks", r.chunks());
        t.put("chunkRows", r.chunkRows());
        t.put("differingChunks", r.differingChunks());
        ObjectNode d = t.putObject("differences");
        d.put("changed", r.changed());
        d.put("missing", r.missing());
        d.put("extra", r.extra());
        t.put("unsettled", r.unsettled());
        t.put("unverified", r.unverified());
        t.put("firstRange", r.firstRange());
        ArrayNode keys = t.putArray("firstKeys");
        for (RowDifference k : r.firstKeys()) {
            ObjectNode row = keys.addObject();
            ArrayNode values = row.putArray("key");
            k.key().forEach(values::add);
            row.put("kind", k.kind().name().toLowerCase(Locale.ROOT));
        }
        if (r.repaired() == null) {
            t.putNull("repaired");
        } else {
            ObjectNode rep = t.putObject("repaired");
            rep.put("inserted", r.repaired().inserted());
            rep.put("updated", r.repaired().updated());
            rep.put("deleted", r.repaired().deleted());
        }
        t.put("repairProblem", r.repairProblem());
        return t;
    }
}
