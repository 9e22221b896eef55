package io.jdnn.tests.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every public and protected type, constructor, method and field of the published library modules
 * has a javadoc comment, and their javadoc builds without errors. The test runs the JDK's
 * documentation tool in process over the modules' main sources with {@code -Xdoclint:all}, as
 * {@code javadoc} would, and fails on any error (a broken {@code {@link}}, bad HTML) and on any
 * "no comment" warning outside {@link #ALLOWED}. Missing {@code @param}, {@code @return} and
 * {@code @throws} tags are not failures: one sentence that says what a method does is the house
 * style, and a tag per parameter would be noise. Doclint on JDK 17 does not check record
 * components; their {@code @param}s in the record's comment are kept by review.
 *
 * <p>The run takes about 15 s (all eight modules, two shared cores).
 */
class JavadocCoverageTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The published library modules (not the CLI in benchmarks/, not this test suite). */
    static final List<String> MODULES = List.of("java-api", "verify", "examples", "fallback-cpu", "kernels/common",
            "kernels/opencl", "kernels/cuda", "onnx");

    /** Files whose missing comments do not fail the test, each with the reason; meant to be empty. */
    static final Map<String, String> ALLOWED = Map.of();

    @Test
    void everyPublicMemberIsDocumentedAndJavadocHasNoErrors(@TempDir Path out) throws IOException {
        DocumentationTool tool = ToolProvider.getSystemDocumentationTool();
        assertNotNull(tool, "this JDK has no documentation tool (a JRE?)");
        List<Diagnostic<? extends JavaFileObject>> diagnostics = new ArrayList<>();
        StringWriter toolOutput = new StringWriter();
        // jdnn-api is a named module (module-info.java): documented alone, then the other modules
        // against its compiled classes (javadoc would take every source root for module io.jdnn).
        List<Path> api = List.of(sourceRoot(MODULES.get(0)));
        List<Path> others = MODULES.stream().skip(1).map(JavadocCoverageTest::sourceRoot).toList();
        boolean ok = javadoc(tool, api, dependencyJars(), out.resolve("api"), diagnostics, toolOutput)
                & javadoc(tool, others, ROOT.resolve("java-api/target/classes") + File.pathSeparator
                        // the onnx module's protobuf classes, which protoc generates outside src/main/java
                        + ROOT.resolve("onnx/target/classes") + File.pathSeparator + dependencyJars(),
                out.resolve("others"), diagnostics, toolOutput);

        List<String> errors = new ArrayList<>();
        List<String> undocumented = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
            String message = d.getMessage(Locale.ROOT);
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(where(d) + ": " + message);
            } else if (message.equals("no comment") && !ALLOWED.containsKey(file(d))) {
                undocumented.add(where(d));
            }
        }
        assertTrue(errors.isEmpty() && undocumented.isEmpty(),
                "javadoc reports " + errors.size() + " errors:\n" + String.join("\n", errors)
                        + "\n" + undocumented.size() + " public or protected declarations have no javadoc comment"
                        + " (one honest sentence is enough; see ConvPlan.java):\n" + String.join("\n", undocumented));
        assertTrue(ok, "javadoc failed:\n" + toolOutput);
    }

    /** Runs javadoc with doclint over every source of {@code roots}, collecting its diagnostics. */
    static boolean javadoc(DocumentationTool tool, List<Path> roots, String classpath, Path out,
                           List<Diagnostic<? extends JavaFileObject>> diagnostics, StringWriter toolOutput)
            throws IOException {
        DiagnosticListener<JavaFileObject> listener = diagnostics::add;
        try (StandardJavaFileManager files = tool.getStandardFileManager(listener, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "-Xdoclint:all", "-quiet", "-Xmaxwarns", "100000", "-Xmaxerrs", "100000",
                    "-d", out.toString(),
                    "-sourcepath", roots.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                    "-classpath", classpath,
                    // fallback-cpu's VectorKernels uses the Vector API.
                    "--add-modules", "jdk.incubator.vector");
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources(roots));
            return tool.getTask(toolOutput, files, listener, null, options, units).call();
        }
    }

    static Path sourceRoot(String module) {
        return ROOT.resolve(module).resolve("src/main/java");
    }

    static List<Path> sources(List<Path> roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            assertTrue(Files.isDirectory(root), "no source root " + root);
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(p -> p.toString().endsWith(".java")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /**
     * The third-party jars of this test's class path (JOCL, JCuda, Jackson, ...). jdnn's own
     * modules are left out: javadoc reads them from their sources.
     */
    static String dependencyJars() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar"))
                .filter(e -> !Path.of(e).getFileName().toString().startsWith("jdnn-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The diagnostic's file, relative to the repository root with '/' separators; "" when it has none. */
    static String file(Diagnostic<? extends JavaFileObject> d) {
        if (d.getSource() == null) {
            return "";
        }
        Path p = Path.of(d.getSource().toUri()).toAbsolutePath().normalize();
        return (p.startsWith(ROOT) ? ROOT.relativize(p) : p).toString().replace(File.separatorChar, '/');
    }

    static String where(Diagnostic<? extends JavaFileObject> d) {
        return file(d) + ":" + d.getLineNumber();
    }
}
