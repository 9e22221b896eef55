package io.jdnn.cpu.fast;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool's hand-off: every task of every loop runs exactly once, on a worker index in range, and
 * is finished when {@code forEach} returns, over many back-to-back loops of random sizes (workers
 * that wake late must not take a task of a later loop for an earlier one); a failure reaches the
 * caller and leaves the pool usable; a loop started from inside a task runs inline.
 */
class ParallelTest {

    @Test
    void everyTaskOfEveryLoopRunsOnceBeforeTheLoopReturns() {
        Parallel pool = Parallel.ofThreads(3);
        Random r = new Random(17);
        for (int loop = 0; loop < 3000; loop++) {
            int tasks = 1 + r.nextInt(loop % 10 == 0 ? 200 : 8);
            AtomicIntegerArray ran = new AtomicIntegerArray(tasks);
            int spin = r.nextInt(3) * 200;
            pool.forEach(tasks, (t, worker) -> {
                assertTrue(worker >= 0 && worker < 3, "worker " + worker);
                for (int i = 0; i < spin; i++) {
                    Thread.onSpinWait();
                }
                ran.incrementAndGet(t);
            });
            for (int t = 0; t < tasks; t++) {
                assertEquals(1, ran.get(t), "loop " + loop + " task " + t + " of " + tasks);
            }
        }
    }

    @Test
    void aFailureReachesTheCallerAndThePoolStaysUsable() {
        Parallel pool = Parallel.ofThreads(2);
        IllegalArgumentException boom = new IllegalArgumentException("task 5");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> pool.forEach(50, (t, w) -> {
            if (t == 5) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
        AtomicIntegerArray ran = new AtomicIntegerArray(40);
        pool.forEach(40, (t, w) -> ran.incrementAndGet(t));
        for (int t = 0; t < 40; t++) {
            assertEquals(1, ran.get(t));
        }
    }

    @Test
    void aLoopInsideATaskRunsInlineOnThatWorker() {
        Parallel pool = Parallel.ofThreads(2);
        AtomicIntegerArray inner = new AtomicIntegerArray(8 * 6);
        pool.forEach(8, (t, w) -> pool.forEach(6, (u, w2) -> {
            assertEquals(w, w2, "the nested loop runs as the worker that made it");
            inner.incrementAndGet(t * 6 + u);
        }));
        for (int i = 0; i < inner.length(); i++) {
            assertEquals(1, inner.get(i));
        }
    }
}
