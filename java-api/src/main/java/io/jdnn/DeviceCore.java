package io.jdnn;

import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;
import io.jdnn.spi.DeviceTimer;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every op family of a {@link Device} shares: the device's one lock, its broken state (and
 * the closed state its {@link Allocations} keep), running a body under the lock ({@link #run},
 * {@link #locked}), and the argument checks (a tensor of this device and open, of the expected
 * shape, an output that does not alias an input). An op family validates its arguments with these
 * inside {@code run} and then calls the backend.
 */
final class DeviceCore {
    private final Device device;
    private final DeviceBackend impl;
    private final DeviceOptions options;
    private final String spec;
    private final ReentrantLock lock = new ReentrantLock();
    private final Allocations allocations;
    private volatile String broken;

    DeviceCore(Device device, DeviceBackend impl, DeviceOptions options) {
        this.device = device;
        this.impl = impl;
        this.options = options;
        this.spec = impl.info().spec();
        this.allocations = new Allocations(device, impl, lock);
    }

    Device device() {
        return device;
    }

    DeviceBackend impl() {
        return impl;
    }

    DeviceOptions options() {
        return options;
    }

    String spec() {
        return spec;
    }

    Allocations allocations() {
        return allocations;
    }

    /** Null while the device works; after a kernel fault, what went wrong. */
    String brokenReason() {
        return broken;
    }

    /** Whether the device was closed. */
    boolean isClosed() {
        return allocations.isClosed();
    }

    /** Frees every tensor still open and releases the backend, once. */
    void close() {
        if (allocations.closeAll()) {
            impl.close();
        }
    }

    // ================================================================== device-wide work

    /** A new tensor with unspecified contents. */
    Tensor allocate(Shape shape) {
        return locked("allocate", () -> allocations.newTensor(shape));
    }

    /** Waits until every operation issued so far has finished. */
    void synchronize() {
        run("synchronize", impl::synchronize);
    }

    /** The device time {@code work} took, in milliseconds, with the lock held throughout. */
    double timeMillis(Runnable work) {
        return locked("timeMillis", () -> {
            DeviceTimer t = impl.startTimer();
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                try {
                    t.stop();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return t.stop();
        });
    }

    // ================================================================== running under the lock

    /** Runs {@code body} under the lock once the device is usable (see {@link #locked}). */
    void run(String op, Runnable body) {
        locked(op, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs {@code body} under the lock if the device is neither closed nor broken, and marks the
     * device broken when the body fails with a {@link DeviceException#isFault() fault}.
     */
    <T> T locked(String op, Supplier<T> body) {
        lock.lock();
        try {
            checkUsable(op);
            return body.get();
        } catch (DeviceException e) {
            if (e.isFault()) {
                broken = e.getMessage();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private void checkUsable(String op) {
        if (isClosed()) {
            throw new IllegalStateException(op + ": device " + spec + " is closed");
        }
        if (broken != null) {
            throw new IllegalStateException(op + ": device " + spec + " is broken after an earlier failure: " + broken);
        }
    }

    /** A new tensor of {@code shape} that {@code op} writes; closed again if {@code op} fails. */
    Tensor produce(Shape shape, Consumer<Tensor> op) {
        Tensor out = allocate(shape);
        try {
            op.accept(out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** Two new tensors [a, b] that {@code op} fills; both are freed if it fails. */
    List<Tensor> producePair(Shape aShape, Shape bShape, BiConsumer<Tensor, Tensor> op) {
        Tensor a = allocate(aShape);
        try {
            Tensor b = produce(bShape, t -> op.accept(a, t));
            return List.of(a, b);
        } catch (RuntimeException | Error e) {
            a.close();
            throw e;
        }
    }

    // ================================================================== argument checks

    /**
     * Validates the two gradient outputs of a backward pass, either of which may be null (skipped):
     * each of its input's shape and sharing storage with no input nor with the other. Returns their
     * buffers [da, db], null where skipped. Called with the lock held.
     */
    Buffer[] gradients(String op, Tensor da, Shape aShape, Tensor db, Shape bShape, Tensor... inputs) {
        Buffer bda = null;
        Buffer bdb = null;
        if (da != null) {
            bda = use(op, "da", da, aShape);
            distinct(op, "da", da, inputs);
        }
        if (db != null) {
            bdb = use(op, "db", db, bShape);
            distinct(op, "db", db, inputs);
        }
        if (da != null && db != null) {
            distinctAll(op, new String[] {"da", "db"}, da, db);
        }
        return new Buffer[] {bda, bdb};
    }

    /** Validates a tensor argument: present, of this device, open. Called with the lock held. */
    Buffer use(String op, String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected a tensor, got null");
        }
        if (t.device() != device) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected a tensor of device " + spec
                    + ", got one of device " + t.device().spec()
                    + (t.device().backend().equals(device.backend()) ? " (another Device instance)" : ""));
        }
        if (t.isClosed()) {
            throw new IllegalStateException(op + ": argument '" + name + "': tensor " + t.shape() + " is closed");
        }
        return t.buffer();
    }

    /** Validates a tensor argument and its shape. */
    Buffer use(String op, String name, Tensor t, Shape expected) {
        Buffer b = use(op, name, t);
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": argument '" + name + "': expected shape " + expected
                    + ", got " + t.shape());
        }
        return b;
    }

    /** The shape of a tensor argument that must not be null (checked before the lock is taken). */
    static Shape shapeOf(String op, String name, Tensor t) {
        Check.that(t != null, op + ": argument '" + name + "'", "a tensor", "null");
        return t.shape();
    }

    /** An output must not share storage with the listed inputs. */
    static void distinct(String op, String outName, Tensor out, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in != null && in.allocation == out.allocation) {
                throw new IllegalArgumentException(op + ": argument '" + outName
                        + "': expected a tensor distinct from the inputs, got one sharing storage with an input");
            }
        }
    }

    /** No two of {@code ts} (named by {@code names}) may share storage. */
    static void distinctAll(String op, String[] names, Tensor... ts) {
        for (int i = 0; i < ts.length; i++) {
            for (int j = i + 1; j < ts.length; j++) {
                if (ts[i].allocation == ts[j].allocation) {
                    throw new IllegalArgumentException(op + ": arguments '" + names[i] + "' and '" + names[j]
                            + "': expected distinct tensors, got the same storage twice");
                }
            }
        }
    }

    /** The name an op's messages carry: {@code name(problem)}. */
    static String op(String name, Object problem) {
        return name + "(" + problem + ")";
    }
}
