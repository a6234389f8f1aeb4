package dev.replog.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The files of deploy/ (and the poms that build the image), read as the tests need them. */
final class DeployFiles {

    /** The repository's root, seen from the cli module (where Maven runs the tests). */
    static final Path ROOT = Path.of("..");
    static final Path DEPLOY = ROOT.resolve("deploy");
    /** The image every deployment runs: Jib's {@code <to><image>} with the project's version. */
    static final String IMAGE = "replog:" + projectVersion();

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployFiles() {
    }

    static Path deploy(String relative) {
        return DEPLOY.resolve(relative);
    }

    /** Every file under deploy/ whose name matches. */
    static List<Path> files(Predicate<String> name) {
        try (Stream<Path> s = Files.walk(DEPLOY)) {
            return s.filter(Files::isRegularFile).filter(p -> name.test(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every document of a YAML file (separated by {@code ---}), empty ones left out. */
    static List<JsonNode> yamlDocuments(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(new YAMLFactory().createParser(r), JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            });
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " has " + docs.size() + " YAML documents, expected one");
        }
        return docs.get(0);
    }

    static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    /** A properties file as Replog reads it: values trimmed, in file order. */
    static Map<String, String> properties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of every element at this path below the document's root, e.g. {@code properties/kafka.version}. */
    static List<String> pomValues(Path pom, String path) {
        List<String> values = new ArrayList<>();
        collect(parse(pom).getDocumentElement(), path.split("/"), 0, values);
        return values;
    }

    /** The only value at this path. */
    static String pomValue(Path pom, String path) {
        List<String> v = pomValues(pom, path);
        if (v.size() != 1) {
            throw new IllegalStateException(pom + " has " + v.size() + " values at " + path + ": " + v);
        }
        return v.get(0);
    }

    private static void collect(Element e, String[] path, int i, List<String> out) {
        if (i == path.length) {
            out.add(e.getTextContent().strip());
            return;
        }
        NodeList children = e.getChildNodes();
        for (int c = 0; c < children.getLength(); c++) {
            Node n = children.item(c);
            if (n instanceof Element child && child.getTagName().equals(path[i])) {
                collect(child, path, i + 1, out);
            }
        }
    }

    private static Document parse(Path pom) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot parse " + pom + ": " + e.getMessage(), e);
        }
    }

    private static String projectVersion() {
        return pomValue(ROOT.resolve("pom.xml"), "version");
    }

    /** A JSON object's field as text, failing with the path if it is missing. */
    static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            n = n.path(p);
        }
        if (n.isMissingNode() || n.isNull() || n.isContainerNode()) {
            throw new AssertionError("no " + String.join(".", path) + " in " + abbreviate(node));
        }
        return n.asText();
    }

    static String abbreviate(JsonNode n) {
        String s = n instanceof ObjectNode o && o.has("metadata") ? o.get("kind") + " " + o.get("metadata").path("name") : n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
