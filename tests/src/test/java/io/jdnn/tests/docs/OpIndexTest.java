package io.jdnn.tests.docs;

import io.jdnn.Device;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/HACKING.md's op index is a map a newcomer follows: every place it names must exist, and
 * every op of {@link Device} must be in it. Cells name places as {@code `path`} or
 * {@code `path#name`} (repository-relative; the file must contain {@code name} as a word: a kernel
 * function, a class, a method, a suite) and ops as {@code `Device#method`}.
 */
class OpIndexTest {
    static final Path ROOT = Path.of("..");
    static final Path DOC = ROOT.resolve("docs/HACKING.md");
    static final Pattern TOKEN = Pattern.compile("`([^`]+)`");

    /** The rows of the table under "## Op index", each a list of cells (header and rule lines dropped). */
    static List<List<String>> rows() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int start = lines.indexOf("## Op index");
        assertTrue(start >= 0, "docs/HACKING.md has no line '## Op index'");
        List<List<String>> rows = new ArrayList<>();
        boolean header = true;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String l = lines.get(i).trim();
            if (!l.startsWith("|")) {
                continue;
            }
            if (header || l.matches("\\|[-| :]+\\|")) {
                header = false;
                continue;
            }
            List<String> cells = new ArrayList<>();
            for (String c : l.substring(1, l.length() - 1).split("\\|")) {
                cells.add(c.trim());
            }
            rows.add(cells);
        }
        assertTrue(rows.size() >= 10, "the op index has only " + rows.size() + " rows");
        return rows;
    }

    /** The text after "Device methods that are not ops:" in the op index section: its `Device#name` tokens. */
    static Set<String> notOps() throws IOException {
        String doc = Files.readString(DOC);
        int i = doc.indexOf("Device methods that are not ops:");
        assertTrue(i >= 0, "the op index lists the Device methods that are not ops");
        int end = doc.indexOf("\n\n", i);
        Set<String> out = new TreeSet<>();
        Matcher m = TOKEN.matcher(doc.substring(i, end < 0 ? doc.length() : end));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyPlaceTheIndexNamesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        int places = 0;
        for (List<String> row : rows()) {
            for (String cell : row) {
                Matcher m = TOKEN.matcher(cell);
                while (m.find()) {
                    String token = m.group(1);
                    if (token.startsWith("Device#")) {
                        continue; // checked against the class below
                    }
                    places++;
                    int hash = token.indexOf('#');
                    Path file = ROOT.resolve(hash < 0 ? token : token.substring(0, hash));
                    if (!Files.isRegularFile(file)) {
                        missing.add(token + " (no such file)");
                    } else if (hash >= 0) {
                        String name = token.substring(hash + 1);
                        if (!Pattern.compile("\\b" + Pattern.quote(name) + "\\b").matcher(Files.readString(file)).find()) {
                            missing.add(token + " (the file does not mention " + name + ")");
                        }
                    }
                }
            }
        }
        assertTrue(places > 50, "the index names only " + places + " places");
        assertEquals(List.of(), missing, "docs/HACKING.md's op index names places that do not exist");
    }

    @Test
    void everyOpOfDeviceIsInTheIndexAndEveryNameInItIsAMethod() throws IOException {
        Set<String> methods = new TreeSet<>();
        for (Method m : Device.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())) {
                methods.add("Device#" + m.getName());
            }
        }
        Set<String> indexed = new TreeSet<>();
        for (List<String> row : rows()) {
            Matcher m = TOKEN.matcher(String.join(" ", row));
            while (m.find()) {
                if (m.group(1).startsWith("Device#")) {
                    indexed.add(m.group(1));
                }
            }
        }
        Set<String> notOps = notOps();
        Set<String> unknown = new TreeSet<>(indexed);
        unknown.addAll(notOps);
        unknown.removeAll(methods);
        assertEquals(Set.of(), unknown, "the op index names Device methods that do not exist");
        Set<String> absent = new TreeSet<>(methods);
        absent.removeAll(indexed);
        absent.removeAll(notOps);
        assertEquals(Set.of(), absent, "public Device methods missing from docs/HACKING.md's op index "
                + "(add a row, or list them after 'Device methods that are not ops:')");
    }
}
