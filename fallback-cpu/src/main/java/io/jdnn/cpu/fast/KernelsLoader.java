package io.jdnn.cpu.fast;

/**
 * Picks the kernels at run time: the Vector API ones when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (and {@code -Djdnn.cpu.vector=false} does not turn
 * them off), the plain ones otherwise. {@code VectorKernels} is loaded by name only after the
 * module check, so without the module no class that touches it is ever loaded. The Vector API
 * kernels run at {@code VectorWidth}'s width (the JVM's preferred one, or
 * {@code -Djdnn.cpu.vector.bits=256}); a JVM whose vectors are narrower than 256 bits gets the plain ones.
 */
final class KernelsLoader {
    private KernelsLoader() {
    }

    private static final System.Logger LOG = System.getLogger(KernelsLoader.class.getName());
    private static final Kernels PLAIN = new PlainKernels();
    private static final Kernels BEST = load();

    /** The kernels this JVM runs best. */
    static Kernels best() {
        return BEST;
    }

    /** The plain kernels, always available. */
    static Kernels plain() {
        return PLAIN;
    }

    /** Whether the Vector API module is in the boot layer. */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API kernels, or null where the module is absent or they fail to load. */
    static Kernels vector() {
        return BEST == PLAIN ? null : BEST;
    }

    private static Kernels load() {
        if (!Boolean.parseBoolean(System.getProperty("jdnn.cpu.vector", "true")) || !vectorModulePresent()) {
            return PLAIN;
        }
        try {
            return (Kernels) Class.forName("io.jdnn.cpu.fast.VectorKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING,
                    "jdnn: cpu backend: Vector API kernels failed to load, using the plain ones: " + e);
            return PLAIN;
        }
    }
}
