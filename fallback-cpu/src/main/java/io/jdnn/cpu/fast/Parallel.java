package io.jdnn.cpu.fast;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed pool of worker threads, one per available processor (the calling thread is worker 0),
 * that runs {@code tasks} independent tasks of one operation. Tasks are handed out dynamically, so
 * which worker runs a task varies, but every task writes its own outputs in a fixed order: results
 * never depend on thread count or timing. A call made from inside a task runs inline as that
 * task's worker; a call made while another device holds the pool runs inline as worker 0 (of its
 * own device's workspaces, which nobody else is using: a device's calls are serialized).
 */
final class Parallel {
    /** One task of a parallel loop; {@code worker} indexes per-thread workspaces, in [0, threads()). */
    @FunctionalInterface
    interface Body {
        void run(int task, int worker);
    }

    /** The system property that sets the shared pool's worker count (default: one per available processor). */
    static final String THREADS_PROPERTY = "jdnn.cpu.threads";

    private static final Parallel SHARED = new Parallel(sharedThreads());

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** The loop being run (or the last one): workers poll this field for a new one. */
    private volatile Job job;

    /**
     * One parallel loop: its tasks are claimed from {@code next} and counted in {@code done} once
     * run (or skipped after a failure). Each loop has its own counters, so a worker that wakes late
     * holding a finished loop finds no task left in it, and the caller waits only for tasks that
     * were claimed, never for a worker that has not started.
     */
    private static final class Job {
        /** Cleared when the loop ends, so that a finished loop holds on to nothing it captured. */
        volatile Body body;
        final int tasks;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Body body, int tasks, Thread caller) {
            this.body = body;
            this.tasks = tasks;
            this.caller = caller;
        }
    }
    /** The worker index of the current thread while it runs tasks, -1 otherwise. */
    private final ThreadLocal<int[]> inside = ThreadLocal.withInitial(() -> new int[] {-1});

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 1; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> workerLoop(id), "jdnn-cpu-" + id);
            t.setDaemon(true);
            workers[i - 1] = t;
            t.start();
        }
    }

    /**
     * Workers of the shared pool: {@code -Djdnn.cpu.threads=N} where N is a positive integer (to
     * measure scaling, or to leave cores to other work), else one per available processor.
     */
    static int sharedThreads() {
        int available = Math.max(1, Runtime.getRuntime().availableProcessors());
        String v = System.getProperty(THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return available;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.getLogger(Parallel.class.getName()).log(System.Logger.Level.WARNING,
                "-D" + THREADS_PROPERTY + "=" + v + " is not a positive integer; using " + available + " threads");
        return available;
    }

    static Parallel shared() {
        return SHARED;
    }

    /**
     * A separate pool of {@code threads} workers (tests run the same ops on pools of several sizes
     * to check that results do not depend on the thread count); its threads are daemons.
     */
    static Parallel ofThreads(int threads) {
        return new Parallel(Math.max(1, threads));
    }

    /** Number of workers, the calling thread included. */
    int threads() {
        return threads;
    }

    /** Runs body(t, worker) for t in [0, tasks) and returns when all have finished. */
    void forEach(int tasks, Body task) {
        if (tasks <= 0) {
            return;
        }
        int[] me = inside.get();
        if (me[0] >= 0) {
            // A call from inside a task runs inline, as the worker that made it.
            for (int t = 0; t < tasks; t++) {
                task.run(t, me[0]);
            }
            return;
        }
        if (tasks == 1 || threads == 1 || !lock.tryLock()) {
            // Inline: a single task, or the pool busy with another device's work (whose calls
            // never share this device's workspaces).
            for (int t = 0; t < tasks; t++) {
                task.run(t, 0);
            }
            return;
        }
        try {
            me[0] = 0;
            Job j = new Job(task, tasks, Thread.currentThread());
            job = j;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            drain(j, 0);
            int spins = 0;
            while (j.done.get() != tasks) {
                if (++spins < 2000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
            j.body = null;
            Throwable f = j.failure;
            if (f != null) {
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException(f);
            }
        } finally {
            me[0] = -1;
            lock.unlock();
        }
    }

    /** Claims and runs tasks of j until none is left; a task after a failure is skipped but counted. */
    private static void drain(Job j, int worker) {
        for (int t = j.next.getAndIncrement(); t < j.tasks; t = j.next.getAndIncrement()) {
            if (j.failure == null) {
                try {
                    j.body.run(t, worker);
                } catch (Throwable e) {
                    j.failure = e;
                }
            }
            if (j.done.incrementAndGet() == j.tasks) {
                LockSupport.unpark(j.caller);
            }
        }
    }

    private void workerLoop(int id) {
        inside.get()[0] = id;
        Job seen = null;
        while (true) {
            int spins = 0;
            Job j;
            while ((j = job) == seen) {
                if (++spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = j;
            drain(j, id);
        }
    }

    /**
     * Tasks per worker that {@link #rowBlock} aims at where splitting costs nothing but the split
     * itself, so that tasks of uneven length still balance.
     */
    static final int TASKS_PER_WORKER = 4;

    /**
     * Rows per block where each of {@code tasks} tasks computes {@code rows} output rows (channels)
     * that may be split into blocks: all of them when the tasks already give every worker
     * {@code perWorker} tasks, else just enough blocks to come near that, each at least
     * {@code minRows} rows and a multiple of 12 (whole 6 and 4-row GEMM tiles). (A split whose blocks
     * each repeat some work asks for 1 task per worker, {@link #TASKS_PER_WORKER} otherwise.) Callers
     * split only where every output is computed the same way in any block, so results do not depend
     * on the split, nor on the thread count that chooses it.
     */
    int rowBlock(int tasks, int rows, int minRows, int perWorker) {
        int want = perWorker * threads;
        if (threads == 1 || tasks >= want || rows < 2 * minRows) {
            return Math.max(1, rows);
        }
        int blocks = Math.min((want + tasks - 1) / tasks, rows / minRows);
        int per = (rows + blocks - 1) / blocks;
        return Math.min(rows, (per + 11) / 12 * 12);
    }

    /** Splits [0, n) into {@code parts} contiguous ranges of nearly equal length; start of part i. */
    static long split(long n, int parts, int i) {
        return n * i / parts;
    }
}
