package io.jdnn.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java example of the README compiles against the API as it is, and runs on the reference. */
class ReadmeExampleTest {
    static final Path README = Path.of("..", "README.md");

    @TempDir
    Path tmp;

    /** The first ```java block of the README. */
    static String example() throws Exception {
        List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        int start = lines.indexOf("```java");
        assertTrue(start >= 0, "README.md has no ```java block");
        int end = lines.subList(start + 1, lines.size()).indexOf("```");
        assertTrue(end >= 0, "the ```java block of README.md does not close");
        return String.join("\n", lines.subList(start + 1, start + 1 + end)) + "\n";
    }

    @Test
    void compilesAndRunsOnTheReference() throws Exception {
        Path src = tmp.resolve("Example.java");
        Files.writeString(src, example(), StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK (javax.tools)");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-d", tmp.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        assertEquals(0, status, "the README example does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader());
             PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            loader.loadClass("Example").getMethod("main", String[].class).invoke(null, (Object) new String[] {"reference"});
        } finally {
            System.setOut(saved);
        }
        // Corner output: 3 channels x the 2x2 in-image taps of a 3x3 kernel x 1.0 x 0.5 = 6, through ReLU.
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("on reference:0: y[8, 16, 32, 32], y[0] = 6.0"), printed);
    }
}
