package dev.replog.applier.follower;

import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

public class FollowerDomainsTest {

    @Test
    void everyNameInTheDomainsDdlIsQuotedAndTheCheckedSqlIsUsedAsPrintedWithTheDefaultInParentheses() {
        DomainDefinition domain = new DomainDefinition("My \"Sch\"", "Short Name", "character varying(5)", true, "'n/a'::character varying",
                List.of(new CheckConstraint("not \"empty\"", "CHECK (((VALUE)::text <> ''::text)) NOT VALID")), "pg_catalog", "C");
        assertEquals(List.of(
                "CREATE SCHEMA IF NOT EXISTS \"My \"\"Sch\"\"\"",
                "CREATE DOMAIN \"My \"\"Sch\"\"\".\"Short Name\" AS character varying(5) COLLATE \"pg_catalog\".\"C\" "
                        + "DEFAULT ('n/a'::character varying) NOT NULL",
                "ALTER DOMAIN \"My \"\"Sch\"\"\".\"Short Name\" ADD CONSTRAINT \"not \"\"empty\"\"\" "
                        + "CHECK (((VALUE)::text <> ''::text)) NOT VALID"),
                FollowerDomains.ddl(new SchemaChangeCheck.CheckedDomain(domain)));
    }

    @Test
    void aDomainWithoutDefaultCollationOrConstraintsIsJustItsBaseType() {
        DomainDefinition domain = new DomainDefinition("public", "code", "character varying(5)", false, null, List.of(), null, null);
        assertEquals(List.of("CREATE SCHEMA IF NOT EXISTS \"public\"", "CREATE DOMAIN \"public\".\"code\" AS character varying(5)"),
                FollowerDomains.ddl(new SchemaChangeCheck.CheckedDomain(domain)));
    }
}
