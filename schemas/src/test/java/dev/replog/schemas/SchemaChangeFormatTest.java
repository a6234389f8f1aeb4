package dev.replog.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaChangeFormatTest {

    private static final TableId TABLE = new TableId("Weird Schema", "Ta.ble \"q\"");

    @Test
    void aSchemaChangeReadsBackAsWrittenThroughTheEnvelopeDecoder() {
        TableDefinition definition = new TableDefinition(TABLE, 16384, List.of(
                new ColumnDefinition("select", 1, "integer", "int4", -1, true, null, null),
                new ColumnDefinition("Ünïcødé 🚀", 3, "numeric", "numeric", -1, false, null, "(\"select\" * 2)"),
                new ColumnDefinition("a.b", 4, "text", "text", -1, false, "'x''y'::text", null)),
                List.of("select"), List.of(new CheckConstraint("c", "CHECK ((\"select\" > 0))")));
        SchemaChange change = new SchemaChange(TABLE, definition, new SourcePosition(Lsn.parse("0/16B3748"), 7, Instant.ofEpochMilli(1000), false));
        ChangeEvent decoded = new EnvelopeDecoder().decode(null, SchemaChangeFormat.write(change));
        assertEquals(change, decoded);
    }

    @Test
    void aColumnOfADomainCarriesTheDomainAndReadsBackAsWritten() {
        DomainDefinition domain = new DomainDefinition("My \"Schema\"", "Price Eur", "numeric(10,2)", true, "0.00",
                List.of(new CheckConstraint("non negative", "CHECK ((VALUE >= (0)::numeric))")), "pg_catalog", "C");
        TableDefinition definition = new TableDefinition(TABLE, 1, List.of(
                new ColumnDefinition("id", 1, "integer", "int4", -1, true, null, null),
                new ColumnDefinition("price", 2, "\"My \"\"Schema\"\"\".\"Price Eur\"", "Price Eur", -1, false, null, null,
                        List.of(), domain)), List.of("id"), List.of());
        SchemaChange change = new SchemaChange(TABLE, definition, new SourcePosition(Lsn.parse("0/1"), 1, Instant.ofEpochMilli(0), false));
        assertEquals(change, new EnvelopeDecoder().decode(null, SchemaChangeFormat.write(change)));
        assertEquals("\"My \"\"Schema\"\"\".\"Price Eur\"", domain.qualifiedName());
    }

    /** The compatibility promise: a column without a domain is written as before domains were carried, and read back. */
    @Test
    void aColumnWithoutADomainIsWrittenWithoutTheFieldAndOlderDefinitionsReadWithNoDomain() {
        TableDefinition definition = new TableDefinition(TABLE, 1, List.of(
                new ColumnDefinition("id", 1, "integer", "int4", -1, true, null, null)), List.of("id"), List.of());
        String json = SchemaChangeFormat.toJson(definition);
        assertFalse(json.contains("domain"), json);
        assertEquals(definition, SchemaChangeFormat.fromJson(json, TABLE));
    }

    @Test
    void userTypesOfEveryKindReadBackAsWrittenEachWithOnlyTheFieldsOfItsKind() {
        List<UserType> types = List.of(
                UserType.enumType("Odd \"S\"", "Tier", List.of("a,b", "it's", "ünï 🚀", "")),
                UserType.composite("public", "point3", List.of(new UserType.Attribute("Z \"z\"", "public.\"Tier\"[]"),
                        new UserType.Attribute("x", "double precision"))),
                UserType.domain(new DomainDefinition("public", "tiers", "public.\"Tier\"[]", false, null,
                        List.of(new CheckConstraint("few", "CHECK ((cardinality(VALUE) < 5))")), null, null)),
                UserType.range("public", "tier_range", "public.\"Tier\"", null, "Odd \"S\"", "Tier ranges"),
                UserType.range("public", "float_range", "double precision", "float8mi", "public", "float_multirange"),
                UserType.fromExtension("public", "hstore", "hstore"));
        TableDefinition definition = new TableDefinition(TABLE, 1, List.of(
                new ColumnDefinition("id", 1, "integer", "int4", -1, true, null, null)), List.of("id"), List.of(), types);
        String json = SchemaChangeFormat.toJson(definition);
        assertEquals(definition, SchemaChangeFormat.fromJson(json, TABLE));
        assertTrue(json.contains("{\"kind\":\"enum\",\"schema\":\"Odd \\\"S\\\"\",\"name\":\"Tier\",\"labels\":[\"a,b\",\"it's\",\"ünï 🚀\",\"\"]}"), json);
        assertTrue(json.contains("{\"kind\":\"extension\",\"schema\":\"public\",\"name\":\"hstore\",\"extension\":\"hstore\"}"), json);
        assertEquals("\"Odd \"\"S\"\"\".\"Tier ranges\"", types.get(3).qualifiedMultirange());
    }

    /** The compatibility promise: a table without user types is written as before they were listed, and read back. */
    @Test
    void aDefinitionWithoutUserTypesIsWrittenWithoutTheFieldAndOlderDefinitionsReadWithNone() {
        TableDefinition definition = new TableDefinition(TABLE, 1, List.of(
                new ColumnDefinition("id", 1, "integer", "int4", -1, true, null, null)), List.of("id"), List.of());
        String json = SchemaChangeFormat.toJson(definition);
        assertFalse(json.contains("types"), json);
        assertEquals(List.of(), SchemaChangeFormat.fromJson(json, TABLE).types());
    }

    @Test
    void aUserTypeLackingWhatItsKindNeedsIsAnUnreadableDefinition() {
        EventFormatException e = org.junit.jupiter.api.Assertions.assertThrows(EventFormatException.class, () -> SchemaChangeFormat.fromJson(
                "{\"table\":{\"schema\":\"s\",\"table\":\"t\"},\"leaderOid\":1,\"columns\":[],\"primaryKey\":[],\"checks\":[],"
                        + "\"types\":[{\"kind\":\"range\",\"schema\":\"s\",\"name\":\"r\"}]}", TABLE));
        assertTrue(e.getMessage().contains("user type s.r of kind range lacks its subtype and multirange"), e.getMessage());
    }

    @Test
    void aDropHasNoDefinition() {
        SchemaChange drop = new SchemaChange(TABLE, null, new SourcePosition(Lsn.parse("0/1"), 0, Instant.ofEpochMilli(0), false));
        assertTrue(((SchemaChange) new EnvelopeDecoder().decode(null, SchemaChangeFormat.write(drop))).isDrop());
    }

    @Test
    void theUnavailableToastPlaceholderIsRecognisedInEveryForm() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var text = json.readTree("{\"type\":\"string\"}");
        assertTrue(PgValues.isUnavailable(text, json.readTree("\"__debezium_unavailable_value\"")));
        assertTrue(PgValues.isUnavailable(text, json.readTree("\"5F5F646562657A69756D5F756E617661696C61626C655F76616C7565\"")));
        assertTrue(PgValues.isUnavailable(text, json.readTree("\"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ==\"")));
        assertFalse(PgValues.isUnavailable(text, json.readTree("\"an ordinary value\"")));
    }
}
