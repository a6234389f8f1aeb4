package dev.replog.cli.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every YAML and JSON file of deploy/ parses, and README and docs point at deploy/ and its role scripts. */
class DeployFilesTest {

    @Test
    void everyYamlAndJsonFileParses() {
        List<Path> yaml = DeployFiles.files(n -> n.endsWith(".yaml") || n.endsWith(".yml"));
        List<String> empty = new ArrayList<>();
        for (Path f : yaml) {
            if (DeployFiles.yamlDocuments(f).isEmpty()) {
                empty.add(f.toString());
            }
        }
        DeployFiles.files(n -> n.endsWith(".json")).forEach(DeployFiles::json);
        assertTrue(yaml.size() >= 9, yaml.toString());
        assertEquals(List.of(), empty, "YAML files without a document");
    }

    /** README "Privileges" shows the statements of deploy/sql with README's names; PrivilegesTest runs the files. */
    @Test
    void readmePrivilegesAreTheRoleScriptsStatements() {
        String readme = DeployFiles.read(DeployFiles.ROOT.resolve("README.md"));
        String privileges = readme.substring(readme.indexOf("## Privileges"), readme.indexOf("## How it works"));
        assertTrue(privileges.contains("(deploy/sql/leader-role.sql)") && privileges.contains("(deploy/sql/follower-role.sql)"),
                "README \"Privileges\" links the role scripts");
        assertEquals(statements(sqlBlock(privileges, "On the leader")),
                statements(PsqlScript.of(PsqlScript.LEADER_ROLE, Map.of("role", "replog_capture", "database", "shop",
                        "owner", "app_owner", "password", "...")).statements()));
        assertEquals(statements(sqlBlock(privileges, "On the follower")),
                statements(PsqlScript.of(PsqlScript.FOLLOWER_ROLE, Map.of("role", "replog_apply", "database", "shop",
                        "password", "...")).statements()));
        String docs = DeployFiles.read(DeployFiles.ROOT.resolve("docs/deploy.md"));
        for (String part : List.of("deploy/systemd", "deploy/compose", "deploy/k8s", "deploy/sql", "deploy/kafka-acls.sh", "-Pimage")) {
            assertTrue(docs.contains(part), "docs/deploy.md says how to use " + part);
        }
        assertTrue(readme.contains("(docs/deploy.md)"), "README links docs/deploy.md");
    }

    private static List<String> sqlBlock(String text, String after) {
        int from = text.indexOf("```sql", text.indexOf(after)) + "```sql".length();
        String block = text.substring(from, text.indexOf("```", from));
        List<String> out = new ArrayList<>();
        for (String s : block.replaceAll("--[^\n]*", "").split(";")) {
            if (!s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Statements compared as PostgreSQL reads them: identifiers' quotes and spacing do not matter here. */
    private static List<String> statements(List<String> sql) {
        return sql.stream().map(s -> s.replace("\"", "").replaceAll("\\s+", " ").strip()).toList();
    }
}
