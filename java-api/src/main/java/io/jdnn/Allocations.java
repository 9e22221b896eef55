package io.jdnn;

import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tensor storage of one {@link Device}: every live allocation, the live and peak bytes, the
 * counts of allocations and of leaks, the {@link Cleaner} that frees a tensor nobody closed, and
 * the device's closed state (closing the device frees whatever is still live). Guarded by the
 * device's lock.
 */
final class Allocations {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final boolean TRACK_SITES = Boolean.getBoolean("jdnn.trackAllocations");
    private static final System.Logger LOG = System.getLogger("io.jdnn.Device");
    /** Frames of classes in this package are jdnn's own: an allocation site leaves them out. */
    private static final String OWN_PACKAGE = Allocations.class.getPackageName() + ".";

    private final Device device;
    private final DeviceBackend impl;
    private final ReentrantLock lock;
    private final String spec;
    private final int bytesPerElement;
    private final Set<Allocation> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long liveBytes;
    private long peakBytes;
    private long allocations;
    private long leaks;
    private volatile boolean closed;

    Allocations(Device device, DeviceBackend impl, ReentrantLock lock) {
        this.device = device;
        this.impl = impl;
        this.lock = lock;
        this.spec = impl.info().spec();
        this.bytesPerElement = impl.info().precision() == Precision.FLOAT64 ? Double.BYTES : Float.BYTES;
    }

    /** A new tensor of {@code shape} with unspecified contents. Called with the lock held. */
    Tensor newTensor(Shape shape) {
        Check.that(shape != null, "shape", "a shape", "null");
        Buffer buffer = impl.allocate(shape.elements());
        long bytes = shape.elements() * bytesPerElement;
        Allocation a = new Allocation(buffer, bytes, shape.toString(), TRACK_SITES ? new Throwable("allocation site") : null);
        Tensor t = new Tensor(device, shape, a, null);
        a.cleanable = CLEANER.register(t, a);
        live.add(a);
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        allocations++;
        return t;
    }

    /** Live tensors and bytes, the peak, and the driver's free-memory figure where there is one. */
    MemoryStats stats() {
        lock.lock();
        try {
            return new MemoryStats(live.size(), liveBytes, peakBytes, allocations, closed ? -1 : impl.deviceFreeBytes());
        } finally {
            lock.unlock();
        }
    }

    /** Tensors freed by the cleaner because nobody closed them. */
    long leaks() {
        lock.lock();
        try {
            return leaks;
        } finally {
            lock.unlock();
        }
    }

    /** One line per live tensor: its shape and, when sites are tracked, where it was allocated. */
    List<String> describeLive() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Allocation a : live) {
                out.add(a.describe());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Marks the device closed and frees every live allocation; true if this call closed it, false
     * if it was closed already.
     */
    boolean closeAll() {
        List<Allocation> released;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            released = new ArrayList<>(live);
            for (Allocation a : released) {
                a.releaseLocked();
            }
            live.clear();
            liveBytes = 0;
        } finally {
            lock.unlock();
        }
        for (Allocation a : released) {
            if (a.cleanable != null) {
                a.cleanable.clean(); // the cleaner lets go of the allocation (its run() finds it released)
            }
        }
        return true;
    }

    /** A tensor's storage: freed once, by close(), by the device's close(), or by the cleaner. */
    final class Allocation implements Runnable {
        /** Null once released, so a closed tensor the caller still holds does not keep its storage reachable. */
        private Buffer buffer;
        private final long bytes;
        private final String shape;
        private final Throwable site;
        private volatile boolean released;
        private Cleaner.Cleanable cleanable;

        Allocation(Buffer buffer, long bytes, String shape, Throwable site) {
            this.buffer = buffer;
            this.bytes = bytes;
            this.shape = shape;
            this.site = site;
        }

        Buffer buffer() {
            return buffer;
        }

        boolean isReleased() {
            return released;
        }

        /** Cleaner action: the tensor became unreachable without close(). */
        @Override
        public void run() {
            lock.lock();
            try {
                if (!released && !closed) {
                    leaks++;
                    LOG.log(System.Logger.Level.WARNING,
                            "jdnn: leaked tensor freed by the cleaner on " + spec + ": " + describe());
                    releaseLocked();
                    live.remove(this);
                }
            } finally {
                lock.unlock();
            }
        }

        /** Frees the storage now (the tensor was closed); the cleaner then has nothing left to do. */
        void release() {
            lock.lock();
            try {
                if (released) {
                    return;
                }
                if (!closed) {
                    releaseLocked();
                    live.remove(this);
                }
            } finally {
                lock.unlock();
            }
            if (cleanable != null) {
                cleanable.clean();
            }
        }

        private void releaseLocked() {
            if (released) {
                return;
            }
            released = true;
            liveBytes -= bytes;
            impl.free(buffer);
            buffer = null;
        }

        String describe() {
            if (site == null) {
                return "tensor " + shape + " (" + bytes + " bytes); run with -Djdnn.trackAllocations=true for the allocation site";
            }
            StringBuilder b = new StringBuilder("tensor " + shape + " (" + bytes + " bytes) allocated at");
            StackTraceElement[] st = site.getStackTrace();
            int shown = 0;
            for (StackTraceElement e : st) {
                if (isOwnFrame(e.getClassName())) {
                    continue;
                }
                b.append("\n    at ").append(e);
                if (++shown == 8) {
                    break;
                }
            }
            return b.toString();
        }
    }

    /** A class of this package itself (Device, Tensor and the classes behind them), not of a subpackage or the caller. */
    private static boolean isOwnFrame(String className) {
        return className.startsWith(OWN_PACKAGE) && className.indexOf('.', OWN_PACKAGE.length()) < 0;
    }
}
