package io.jdnn.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel sources of {@code kernels/src} as this module packages them (class-path resources
 * under {@value #RESOURCE_DIR}; a backend module may add its own, e.g. the CUDA-only {@code .cu}
 * files), and what the host reads out of them:
 * <ul>
 *   <li>{@link #text}: a source's text, for the OpenCL compiler;</li>
 *   <li>{@link #defaults}: the tuning constants a source declares as
 *       {@code #ifndef X / #define X value}: the values nvcc compiles ahead of time;</li>
 *   <li>{@link #variants}: other sets of those constants the source declares with
 *       {@code @variant NAME X=value ...} lines (in a comment), which nvcc compiles too, under
 *       kernel names suffixed {@code _NAME}; the defaults and the variants are the only define sets
 *       the CUDA backend can launch ({@link #precompiledName});</li>
 *   <li>{@link #parameters}: a kernel's parameters, names and kinds in order (parameter-list
 *       macros such as {@code CONV_SHAPE_PARAMS} of the header expanded), against which every
 *       {@link KernelLaunch} checks its named argument list before it runs (on every backend, so
 *       the OpenCL tests on PoCL check the very launches the CUDA backend makes);
 *       {@link #signature} is their kinds alone.</li>
 * </ul>
 */
public final class KernelSources {
    /** Where the kernel sources sit on the class path. */
    public static final String RESOURCE_DIR = "io/jdnn/kernels/src/";
    /** The dialect header every source is compiled with. */
    public static final String HEADER = "jdnn_portable.h";

    private static final Map<String, String> TEXTS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, String>> DEFAULTS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, List<Param>>> PARAMETERS = new ConcurrentHashMap<>();
    private static final Map<String, List<Variant>> VARIANTS = new ConcurrentHashMap<>();

    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern TUNABLE = Pattern.compile(
            "^[ \\t]*#[ \\t]*ifndef[ \\t]+(\\w+)[ \\t]*\\n[ \\t]*#[ \\t]*define[ \\t]+(\\w+)[ \\t]+([^\\n]+?)[ \\t]*$",
            Pattern.MULTILINE);
    private static final Pattern KERNEL = Pattern.compile("\\bKERNEL\\s+void\\s+(\\w+)\\s*\\(([^)]*)\\)");
    /** An object-like macro ({@code #define NAME body}, no parameters), its continuation lines joined. */
    private static final Pattern MACRO = Pattern.compile("^[ \\t]*#[ \\t]*define[ \\t]+(\\w++)(?!\\()[ \\t]*([^\\n]*)$",
            Pattern.MULTILINE);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_]\\w*");
    /** A parameter's name: the identifier it ends with. */
    private static final Pattern PARAMETER_NAME = Pattern.compile("([A-Za-z_]\\w*)\\s*$");
    /** An {@code @variant} line: at the start of a line, after an optional comment star (build-fatbin.sh reads the same). */
    private static final Pattern VARIANT = Pattern.compile("^[ \\t]*\\*?[ \\t]*@variant\\b([^\\n]*)$", Pattern.MULTILINE);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    /**
     * A variant of a source: its tuning constants with other values, compiled ahead of time by the
     * CUDA build as a copy of the source whose kernels are named {@code kernel_NAME}.
     *
     * @param name    the variant's name, the kernel-name suffix without its underscore
     * @param defines every tuning constant of the source with the variant's value (the declared
     *                ones) or the default (the others), in the source's order
     */
    public record Variant(String name, Map<String, String> defines) {
        /** The name nvcc compiled kernel {@code kernel} of this variant under. */
        public String kernelName(String kernel) {
            return kernel + "_" + name;
        }
    }

    /** The kind of one kernel parameter, as {@link KernelLaunch#arg} passes it. */
    public enum ArgKind {
        /** {@code int}, {@code u32}: 4 bytes. */
        INT("int"),
        /** {@code i64}, {@code u64}: 8 bytes. */
        LONG("i64"),
        /** {@code float}: 4 bytes. */
        FLOAT("float"),
        /** A global pointer: a device buffer. */
        BUFFER("buffer");

        private final String label;

        ArgKind(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * One kernel parameter as the source declares it: its name and its kind.
     *
     * @param name the parameter's name ({@code padH}'s is {@code ph} in the conv kernels)
     * @param kind what a launch passes for it
     */
    public record Param(String name, ArgKind kind) {
        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    private KernelSources() {
    }

    /** The text of a kernel source or of the header, read from the class path once. */
    public static String text(String file) {
        return TEXTS.computeIfAbsent(file, f -> {
            try (InputStream in = KernelSources.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + f)) {
                if (in == null) {
                    throw new IllegalStateException("kernel source " + RESOURCE_DIR + f + " is not on the class path "
                            + "(the jdnn-kernels jar packages kernels/src; a backend jar packages its own sources)");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("reading kernel source " + f, e);
            }
        });
    }

    /**
     * The tuning constants {@code file} declares as {@code #ifndef X / #define X value}, in source
     * order, values as written (e.g. {@code BN_WG -> 256}).
     */
    public static Map<String, String> defaults(String file) {
        return DEFAULTS.computeIfAbsent(file, f -> {
            Map<String, String> out = new LinkedHashMap<>();
            Matcher m = TUNABLE.matcher(stripComments(text(f)));
            while (m.find()) {
                if (m.group(1).equals(m.group(2))) {
                    out.put(m.group(1), m.group(3).trim());
                }
            }
            return Collections.unmodifiableMap(out);
        });
    }

    /**
     * The default of one tuning constant of {@code file} as an int.
     *
     * @throws IllegalStateException when the source declares no such constant, or not as an integer
     */
    public static int defaultInt(String file, String define) {
        String v = defaults(file).get(define);
        if (v == null) {
            throw new IllegalStateException("kernel source " + file + " declares no tuning constant " + define
                    + " (#ifndef " + define + " / #define " + define + " value); it declares " + defaults(file).keySet());
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("tuning constant " + define + " of " + file + " is '" + v
                    + "', not an integer literal", e);
        }
    }

    /**
     * Whether {@code defines} asks for nothing but the defaults of {@code file}: every name is a
     * tuning constant of the source, with its default value (compared as text after
     * {@link String#valueOf}). An empty map is the default set.
     */
    public static boolean isDefaultSet(String file, Map<String, ?> defines) {
        Map<String, String> d = defaults(file);
        for (Map.Entry<String, ?> e : defines.entrySet()) {
            String def = d.get(e.getKey());
            if (def == null || !def.equals(String.valueOf(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The variants {@code file} declares, in source order: lines {@code @variant NAME X=value ...}
     * (inside a comment; each X a tuning constant of the source, the others keep their defaults).
     *
     * @throws IllegalStateException when a line is malformed, names an unknown constant, repeats a
     *                               name, or gives the defaults' or another variant's define set
     */
    public static List<Variant> variants(String file) {
        return VARIANTS.computeIfAbsent(file, f -> parseVariants(f, text(f), defaults(f)));
    }

    static List<Variant> parseVariants(String file, String text, Map<String, String> defaults) {
        List<Variant> out = new ArrayList<>();
        Matcher m = VARIANT.matcher(text);
        while (m.find()) {
            String line = m.group(0).trim();
            String[] tokens = m.group(1).trim().split("\\s+");
            if (tokens.length < 2 || !NAME.matcher(tokens[0]).matches()) {
                throw new IllegalStateException(file + ": '" + line + "': expected @variant NAME X=value ... (NAME of "
                        + "letters, digits and _; at least one tuning constant)");
            }
            Map<String, String> defines = new LinkedHashMap<>(defaults);
            for (int i = 1; i < tokens.length; i++) {
                int eq = tokens[i].indexOf('=');
                String key = eq < 0 ? tokens[i] : tokens[i].substring(0, eq);
                if (eq <= 0 || eq == tokens[i].length() - 1 || !defaults.containsKey(key)) {
                    throw new IllegalStateException(file + ": '" + line + "': '" + tokens[i] + "' is not X=value for a "
                            + "tuning constant X of the source (it declares " + defaults.keySet() + ")");
                }
                defines.put(key, tokens[i].substring(eq + 1));
            }
            if (defines.equals(defaults)) {
                throw new IllegalStateException(file + ": '" + line + "' gives the defaults " + defaults);
            }
            for (Variant v : out) {
                if (v.name().equals(tokens[0]) || v.defines().equals(defines)) {
                    throw new IllegalStateException(file + ": '" + line + "' repeats the name or the define set of "
                            + "variant " + v.name());
                }
            }
            out.add(new Variant(tokens[0], Collections.unmodifiableMap(defines)));
        }
        return List.copyOf(out);
    }

    /**
     * The name under which the CUDA build compiled kernel {@code kernel} of {@code file} with
     * {@code defines} (tuning constants not named keep their defaults; values compared as text
     * after {@link String#valueOf}): the kernel's own name for the defaults, {@code kernel_NAME}
     * for variant NAME; empty for any other define set (or a name that is no tuning constant).
     */
    public static Optional<String> precompiledName(String file, Map<String, ?> defines, String kernel) {
        if (isDefaultSet(file, defines)) {
            return Optional.of(kernel);
        }
        Map<String, String> wanted = new LinkedHashMap<>(defaults(file));
        for (Map.Entry<String, ?> e : defines.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                return Optional.empty();
            }
            wanted.put(e.getKey(), String.valueOf(e.getValue()));
        }
        for (Variant v : variants(file)) {
            if (v.defines().equals(wanted)) {
                return Optional.of(v.kernelName(kernel));
            }
        }
        return Optional.empty();
    }

    /**
     * Every kernel the CUDA build compiles from {@code file}, by the name it has in the module:
     * the source's kernels (defaults), then each variant's under its suffixed names, with the
     * parameter kinds (the same for every variant).
     */
    public static Map<String, List<ArgKind>> precompiledKernels(String file) {
        Map<String, List<ArgKind>> out = new LinkedHashMap<>(kernels(file));
        for (Variant v : variants(file)) {
            kernels(file).forEach((k, kinds) -> out.put(v.kernelName(k), kinds));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every kernel of {@code file}, by name in source order, with its parameter kinds. */
    public static Map<String, List<ArgKind>> kernels(String file) {
        Map<String, List<ArgKind>> out = new LinkedHashMap<>();
        allParameters(file).forEach((k, params) -> out.put(k, kinds(params)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The parameter kinds of kernel {@code name} of {@code file}.
     *
     * @throws IllegalStateException when the source has no such kernel or a parameter of a type
     *                               that {@link KernelLaunch} cannot pass
     */
    public static List<ArgKind> signature(String file, String name) {
        return kinds(parameters(file, name));
    }

    /**
     * The parameters of kernel {@code name} of {@code file}, in order: names and kinds as declared,
     * with the parameter-list macros of the header and the source expanded.
     *
     * @throws IllegalStateException when the source has no such kernel or a parameter of a type
     *                               that {@link KernelLaunch} cannot pass
     */
    public static List<Param> parameters(String file, String name) {
        List<Param> p = allParameters(file).get(name);
        if (p == null) {
            throw new IllegalStateException("kernel source " + file + " has no kernel '" + name + "' (it has "
                    + allParameters(file).keySet() + ")");
        }
        return p;
    }

    private static Map<String, List<Param>> allParameters(String file) {
        return PARAMETERS.computeIfAbsent(file, f -> {
            Map<String, String> macros = new LinkedHashMap<>(macros(text(HEADER)));
            macros.putAll(macros(text(f)));
            Map<String, List<Param>> out = new LinkedHashMap<>();
            Matcher m = KERNEL.matcher(stripComments(text(f)));
            while (m.find()) {
                List<Param> params = new ArrayList<>();
                parseParameters(f, m.group(1), m.group(2), macros, params, 0);
                out.put(m.group(1), List.copyOf(params));
            }
            return Collections.unmodifiableMap(out);
        });
    }

    private static List<ArgKind> kinds(List<Param> params) {
        return params.stream().map(Param::kind).toList();
    }

    /** The object-like macros {@code text} defines, by name, bodies as written (continuation lines joined). */
    static Map<String, String> macros(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = MACRO.matcher(stripComments(text).replaceAll("\\\\[ \\t]*\\r?\\n", " "));
        while (m.find()) {
            out.put(m.group(1), m.group(2).trim());
        }
        return out;
    }

    /**
     * Adds the parameters of {@code params} to {@code out}; one that is a single identifier naming a
     * macro (a parameter-list macro such as CONV_SHAPE_PARAMS) is replaced by the macro's parameters.
     */
    private static void parseParameters(String file, String kernel, String params, Map<String, String> macros,
                                        List<Param> out, int depth) {
        if (params.isBlank() || params.trim().equals("void")) {
            return;
        }
        for (String p : params.split(",")) {
            String param = p.trim();
            String body = macros.get(param);
            if (body != null && IDENTIFIER.matcher(param).matches()) {
                if (depth > 8) {
                    throw new IllegalStateException("kernel " + kernel + " of " + file + ": parameter macro " + param
                            + " expands too deeply");
                }
                parseParameters(file, kernel, body, macros, out, depth + 1);
            } else {
                Matcher name = PARAMETER_NAME.matcher(param);
                if (!name.find()) {
                    throw new IllegalStateException("kernel " + kernel + " of " + file
                            + ": cannot read the name of parameter '" + param + "'");
                }
                out.add(new Param(name.group(1), kindOf(file, kernel, param)));
            }
        }
    }

    private static ArgKind kindOf(String file, String kernel, String param) {
        if (param.contains("*")) {
            return ArgKind.BUFFER;
        }
        String[] tokens = param.split("\\s+");
        for (int i = tokens.length - 2; i >= 0; i--) {
            switch (tokens[i]) {
                case "int", "u32", "uint", "unsigned" -> {
                    return ArgKind.INT;
                }
                case "i64", "u64", "long", "ulong" -> {
                    return ArgKind.LONG;
                }
                case "float" -> {
                    return ArgKind.FLOAT;
                }
                case "const" -> {
                    // a qualifier: look further left
                }
                default -> throw new IllegalStateException("kernel " + kernel + " of " + file + ": parameter '" + param
                        + "' has a type a launch cannot pass (int, u32, i64, u64, float or a GLOBAL pointer)");
            }
        }
        throw new IllegalStateException("kernel " + kernel + " of " + file + ": cannot read the type of parameter '"
                + param + "'");
    }

    private static String stripComments(String text) {
        return COMMENT.matcher(text).replaceAll(" ");
    }
}
