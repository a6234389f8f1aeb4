package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented example events (schemas/golden, checked against capture by GoldenEventsTest) decode as documented. */
class GoldenEventsDecodeTest {

    private static final Path GOLDEN = Path.of("golden");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    private ChangeEvent decode(String name) throws IOException {
        JsonNode doc = JSON.readTree(Files.readString(GOLDEN.resolve(name + ".json")));
        byte[] key = doc.get("key").isNull() ? null : JSON.writeValueAsBytes(doc.get("key"));
        return decoder.decode(key, JSON.writeValueAsBytes(doc.get("value")));
    }

    @Test
    void snapshotReadIsARowWithItsValues() throws IOException {
        RowChange r = assertInstanceOf(RowChange.class, decode("r-snapshot-read"));
        assertEquals(Operation.READ, r.op());
        assertEquals("snapshot row", r.after().get("name"));
        assertEquals("9.99", r.after().get("price"));
        assertEquals("2020-02-29", r.after().get("born"));
        assertEquals(true, r.source().snapshot());
    }

    @Test
    void createUpdateAndDeleteDecode() throws IOException {
        RowChange c = assertInstanceOf(RowChange.class, decode("c-create"));
        assertEquals(Operation.CREATE, c.op());
        assertNull(c.after().get("price"));
        RowChange u = assertInstanceOf(RowChange.class, decode("u-update"));
        assertEquals("12.50", u.after().get("price"));
        RowChange d = assertInstanceOf(RowChange.class, decode("d-delete"));
        assertEquals("1", d.keyRow().get("id"));
        assertEquals(new TableId("public", "golden"), d.table());
    }

    @Test
    void truncateDecodes() throws IOException {
        assertEquals(new TableId("public", "golden"), assertInstanceOf(Truncate.class, decode("t-truncate")).table());
    }

    @Test
    void watermarkDecodesWithItsLsnAndCommitTime() throws IOException {
        Watermark w = assertInstanceOf(Watermark.class, decode("w-watermark"));
        assertEquals(new Watermark(Lsn.ZERO, java.time.Instant.EPOCH), w); // the golden file blanks both
    }

    @Test
    void olderSchemaChangeWithDomainsPerColumnStillReads() throws IOException {
        SchemaChange plain = assertInstanceOf(SchemaChange.class, decode("s-schema-change"));
        assertTrue(plain.definition().columns().stream().allMatch(c -> c.domain() == null));
        SchemaChange withDomains = assertInstanceOf(SchemaChange.class, decode("s-schema-change-domain"));
        DomainDefinition price = withDomains.definition().column("amount").orElseThrow().domain();
        assertEquals(new DomainDefinition("public", "price", "numeric(10,2)", true, "0",
                List.of(new TableDefinition.CheckConstraint("non_negative", "CHECK ((VALUE >= (0)::numeric))")), null, null), price);
        DomainDefinition code = withDomains.definition().column("skus").orElseThrow().domain();
        assertEquals("code", code.name());
        assertEquals("C", code.collation());
        assertNull(withDomains.definition().column("id").orElseThrow().domain());
    }

    @Test
    void schemaChangeListsTheUserTypesItsColumnsUseInDependencyOrder() throws IOException {
        SchemaChange change = assertInstanceOf(SchemaChange.class, decode("s-schema-change-user-types"));
        assertEquals(List.of("domain public.price", "domain public.code", "enum public.Tier", "composite public.offer",
                        "range public.tier_range", "extension public.hstore"),
                change.definition().types().stream().map(t -> t.kind().name().toLowerCase() + " " + t.schema() + "." + t.name()).toList());
        assertEquals(List.of("a,b", "it's"), change.definition().types().get(2).labels());
        assertEquals("tier_multirange", change.definition().types().get(4).multirange());
        assertTrue(change.definition().columns().stream().allMatch(c -> c.domain() == null && c.enumLabels().isEmpty()),
                "the types are listed once, not per column");
    }

    /** The record of {@code <prefix>.copies}: written exactly as documented, and read back. */
    @Test
    void completeCopyIsWrittenAndReadAsItsGoldenExample() throws IOException {
        JsonNode doc = JSON.readTree(Files.readString(GOLDEN.resolve("copy-complete.json")));
        CompleteCopy expected = CompleteCopy.of(new TableId("public", "orders"), "replog-6f1c2a9e-8d1b-4c57-9a43-2f0d7be1c3aa",
                "replog.public.orders", java.util.Map.of(0, 1482L, 1, 1377L), new Lsn(24885024), new Lsn(24911616),
                java.time.Instant.ofEpochMilli(1796558400000L));
        assertEquals(expected, CompleteCopyFormat.read(JSON.writeValueAsBytes(doc.get("value"))));
        assertEquals(doc.get("value"), JSON.readTree(CompleteCopyFormat.write(expected)));
        assertEquals(doc.get("key").asText(), new String(CompleteCopyFormat.key(expected.table()), java.nio.charset.StandardCharsets.UTF_8));
    }
}
