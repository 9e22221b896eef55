package io.jdnn.tests.reliability;

import io.jdnn.JdnnException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What "a clear exception" means to the reliability tests, and running a piece of work under a
 * time limit.
 *
 * <p>Clear: what the API documents for bad input or a failing device, with a message —
 * {@link IllegalArgumentException} (an argument, its expected and its actual value),
 * {@link IllegalStateException} (closed or broken), and every {@link JdnnException}
 * ({@code DeviceException}, {@code DeviceOutOfMemoryException}, {@code AlgorithmNotSupportedException},
 * {@code BackendUnavailableException}). Anything else escaping the API (a NullPointerException, an
 * ArrayIndexOutOfBoundsException, an ArithmeticException "long overflow", a
 * NegativeArraySizeException, an OutOfMemoryError, a JOCL or JCuda exception) is a bug of the API
 * or of a backend: the caller cannot tell what was wrong.
 */
final class Outcome {
    private Outcome() {
    }

    /** Null when {@code t} is a clear exception; otherwise why not. */
    static String unclear(Throwable t) {
        boolean kind = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof JdnnException;
        if (!kind) {
            return t.getClass().getName() + " is not an exception the API documents";
        }
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            return t.getClass().getName() + " without a message";
        }
        return null;
    }

    /** The exception's class and message and the first {@code frames} frames of its stack. */
    static String summary(Throwable t, int frames) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String[] lines = w.toString().split("\n");
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (String l : lines) {
            if (shown > frames) {
                b.append("\n        ...");
                break;
            }
            b.append(shown == 0 ? "" : "\n        ").append(l.strip());
            shown++;
        }
        return b.toString();
    }

    /** A thread pool for work run under a time limit; daemon threads, so that a hung one cannot keep the JVM alive. */
    static ExecutorService daemonPool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Thrown by {@link #within} when the work did not finish in time. */
    static final class Hang extends Exception {
        private static final long serialVersionUID = 1L;

        Hang(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code work} on {@code pool} and returns its result, or throws what it threw (unwrapped),
     * or {@link Hang} when it did not finish within {@code seconds} (the work is interrupted and left
     * behind: a hung native call cannot be stopped from Java).
     */
    static <T> T within(ExecutorService pool, int seconds, String what, Callable<T> work) throws Throwable {
        Future<T> f = pool.submit(work);
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new Hang(what + " did not finish within " + seconds + " s (" + ReliabilityKnobs.CASE_TIMEOUT
                    + "): a hang");
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }
}
