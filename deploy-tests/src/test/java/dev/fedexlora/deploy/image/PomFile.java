package dev.fedexlora.deploy.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

import dev.fedexlora.deploy.RepositoryFiles;

/** A module's pom.xml read as XML (no Maven involved): elements by path, a profile, its plugin configuration. */
public final class PomFile {

    private final Element root;

    private PomFile(Element root) {
        this.root = root;
    }

    public static PomFile of(String module) {
        Path file = RepositoryFiles.resolve(module + "/pom.xml");
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(file.toFile());
            return new PomFile(doc.getDocumentElement());
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    public Element root() {
        return root;
    }

    /** The one child of {@code parent} at the slash-separated path of element names; fails if absent. */
    public static Element child(Element parent, String path) {
        Element current = parent;
        for (String name : path.split("/")) {
            Element next = null;
            for (Element e : children(current)) {
                if (e.getTagName().equals(name)) {
                    next = e;
                    break;
                }
            }
            if (next == null) {
                throw new AssertionError("no <" + name + "> under <" + current.getTagName() + "> (path " + path + ")");
            }
            current = next;
        }
        return current;
    }

    public static String text(Element parent, String path) {
        return child(parent, path).getTextContent().strip();
    }

    public static List<Element> children(Element parent) {
        List<Element> result = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                result.add(e);
            }
        }
        return result;
    }

    /** Child elements as name → text, e.g. a Jib {@code <environment>} or a {@code <properties>} block. */
    public static Map<String, String> map(Element parent) {
        Map<String, String> result = new LinkedHashMap<>();
        children(parent).forEach(e -> result.put(e.getTagName(), e.getTextContent().strip()));
        return result;
    }

    public Element profile(String id) {
        for (Element p : children(child(root, "profiles"))) {
            if (text(p, "id").equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no profile " + id);
    }

    /** The plugin with this artifactId under {@code build/plugins} of {@code parent} (the project or a profile). */
    public static Element plugin(Element parent, String artifactId) {
        for (Element p : children(child(parent, "build/plugins"))) {
            if (text(p, "artifactId").equals(artifactId)) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + artifactId);
    }

    public static Element dependency(Element parent, String artifactId) {
        for (Element d : children(child(parent, "dependencies"))) {
            if (text(d, "artifactId").equals(artifactId)) {
                return d;
            }
        }
        throw new AssertionError("no dependency " + artifactId);
    }
}
