package io.jdnn.cpu.fast;

import io.jdnn.spi.Buffer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A tensor's storage on the cpu backend: one heap {@code float[]} of exactly {@link #elements()}
 * values, with a version counter and the packed forms of its contents that ops keep across calls
 * (a convolution's weights transposed or transformed once, not on every call).
 *
 * <p>A pack can never be stale: the array is reached only through {@link #write()}, which bumps
 * the version before handing it out, or {@link #read()}, which callers use only where they do not
 * write (CpuDevice reads the inputs of convolutions, copies and reads to the host that way, and
 * takes every other buffer of every op through {@code write()}, whether or not the op writes it).
 * A pack remembers the version it was built from and is rebuilt when the version has moved.
 */
final class CpuBuffer implements Buffer {
    /** Packs kept per buffer at most (the least recently used goes first). */
    static final int MAX_PACKS = 4;

    private final float[] data;
    private final AtomicLong version = new AtomicLong();
    private final Map<Object, Pack> packs = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Pack> eldest) {
            return size() > MAX_PACKS;
        }
    };
    private long packsBuilt;

    private record Pack(long version, float[] data) {
    }

    /**
     * What a pack holds: the algorithm and direction that use it ({@code what}) and everything its
     * layout depends on ({@code layout}, e.g. the convolution problem at batch 1).
     */
    record PackKey(String what, Object layout) {
    }

    CpuBuffer(float[] data) {
        this.data = data;
    }

    @Override
    public long elements() {
        return data.length;
    }

    /** The array for an op that may write it: every pack of the old contents becomes stale. */
    float[] write() {
        version.incrementAndGet();
        return data;
    }

    /** The array for an op that only reads it. */
    float[] read() {
        return data;
    }

    /**
     * The pack {@code key} of the current contents: the cached one when built from this version,
     * else a new array of {@code length} floats that {@code pack} fills from {@link #read()}. The
     * returned array must not be written; a rebuild allocates a new one, so a caller still reading an
     * older pack is not disturbed.
     */
    synchronized float[] packed(Object key, int length, Consumer<float[]> pack) {
        long v = version.get();
        Pack p = packs.get(key);
        if (p != null && p.version == v && p.data.length == length) {
            return p.data;
        }
        float[] out = new float[length];
        pack.accept(out);
        packs.put(key, new Pack(v, out));
        packsBuilt++;
        return out;
    }

    /** How many packs were built so far (tests check that an unchanged buffer reuses its pack). */
    synchronized long packsBuilt() {
        return packsBuilt;
    }
}
