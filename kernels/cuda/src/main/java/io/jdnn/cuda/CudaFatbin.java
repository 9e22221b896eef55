package io.jdnn.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The kernels nvcc compiled when this jar was built (kernels/cuda/build-fatbin.sh):
 * {@code io/jdnn/cuda/jdnn.fatbin} and {@code io/jdnn/cuda/fatbin.properties}, which says what
 * was built with which nvcc, or why nothing was ("built without nvcc").
 */
final class CudaFatbin {
    static final String DIR = "io/jdnn/cuda/";
    static final String FATBIN = DIR + "jdnn.fatbin";
    static final String PROPERTIES = DIR + "fatbin.properties";

    private static volatile CudaFatbin loaded;

    private final byte[] image;
    private final Properties properties;
    private final String unavailableReason;

    private CudaFatbin(byte[] image, Properties properties, String unavailableReason) {
        this.image = image;
        this.properties = properties;
        this.unavailableReason = unavailableReason;
    }

    /** The fatbin of this jar, read once. Never throws; see {@link #unavailableReason()}. */
    static CudaFatbin get() {
        CudaFatbin f = loaded;
        if (f == null) {
            synchronized (CudaFatbin.class) {
                if (loaded == null) {
                    loaded = read();
                }
                f = loaded;
            }
        }
        return f;
    }

    private static CudaFatbin read() {
        Properties p = new Properties();
        try (InputStream in = CudaFatbin.class.getClassLoader().getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                return new CudaFatbin(null, p, "the jar holds no " + PROPERTIES
                        + " (kernels/cuda/build-fatbin.sh did not run when it was built)");
            }
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return new CudaFatbin(null, p, "reading " + PROPERTIES + " failed: " + e);
        }
        if (!"built".equals(p.getProperty("status"))) {
            return new CudaFatbin(null, p, p.getProperty("reason", "built without nvcc"));
        }
        try (InputStream in = CudaFatbin.class.getClassLoader().getResourceAsStream(FATBIN)) {
            if (in == null) {
                return new CudaFatbin(null, p, FATBIN + " is missing although " + PROPERTIES + " says it was built");
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                return new CudaFatbin(null, p, FATBIN + " is empty");
            }
            return new CudaFatbin(bytes, p, null);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + FATBIN, e);
        }
    }

    /** Null when the fatbin is there; otherwise why the backend cannot run, e.g. "built without nvcc ...". */
    String unavailableReason() {
        return unavailableReason;
    }

    /** The fatbin image for cuModuleLoadData. */
    byte[] image() {
        if (image == null) {
            throw new IllegalStateException("no fatbin: " + unavailableReason);
        }
        return image;
    }

    /** One line on how it was built: nvcc version and targets. */
    String describe() {
        return "fatbin by nvcc " + properties.getProperty("nvcc.version", "?") + " (" + properties.getProperty("targets", "?")
                + ")";
    }

    /** The kernel sources compiled into it, space-separated. */
    String sources() {
        return properties.getProperty("sources", "");
    }
}
