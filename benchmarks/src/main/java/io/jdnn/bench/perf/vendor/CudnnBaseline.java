package io.jdnn.bench.perf.vendor;

import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.ErrorBounds;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.bench.perf.BenchProblem;
import io.jdnn.bench.perf.Disposition;
import io.jdnn.bench.perf.Inputs;
import io.jdnn.bench.perf.MemoryBudget;
import io.jdnn.bench.perf.Op;
import io.jdnn.bench.perf.ReferenceOutputs;
import io.jdnn.bench.perf.Timing;
import io.jdnn.bench.perf.VendorResult;
import io.jdnn.bench.perf.vendor.CudaHelpers.Buf;
import io.jdnn.bench.perf.vendor.CudaHelpers.OutOfMemory;
import io.jdnn.bench.perf.vendor.CudaHelpers.VendorException;
import io.jdnn.bench.perf.vendor.Family.Kernel;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.jdnn.bench.perf.vendor.CudaHelpers.checkCuda;
import static io.jdnn.bench.perf.vendor.CudaHelpers.download;
import static io.jdnn.bench.perf.vendor.CudaHelpers.freeBytes;
import static io.jdnn.bench.perf.vendor.CudaHelpers.message;
import static io.jdnn.bench.perf.vendor.CudaHelpers.upload;
import static org.bytedeco.cuda.global.cudart.cudaDeviceSynchronize;
import static org.bytedeco.cuda.global.cudnn.CUDNN_BN_MIN_EPSILON;

/**
 * cuDNN (convolution, pooling, batch norm) and cuBLAS (the GEMMs of linear layers) through the
 * JavaCPP presets ({@code org.bytedeco:cuda}), float32 NCHW, timed with CUDA events as jdnn's GPU
 * backends are.
 *
 * <ul>
 *   <li>Convolution: {@code cudnnFind...AlgorithmEx} ranks every algorithm cuDNN has for the
 *       problem (with the math type FMA, so no TF32, unless {@code --tf32}: then DEFAULT, which
 *       lets cuDNN use TF32 tensor cores); the {@value CudnnConv#CANDIDATES} fastest that succeed are each
 *       verified at the verification batch and timed with {@link Timing}, and the best median is
 *       the baseline ("best of cudnnFind").</li>
 *   <li>Pooling, batch norm: the legacy cuDNN calls (cudnnPooling*, cudnnBatchNormalization*,
 *       spatial mode), which cuDNN 9 still ships.</li>
 *   <li>GEMM: {@code cublasSgemm} in column-major form (see {@link GemmMapping}), CUBLAS_DEFAULT_MATH
 *       (no TF32) unless {@code --tf32}.</li>
 * </ul>
 *
 * Every native call runs on one thread of this class: the CUDA runtime then works in the GPU's
 * primary context whatever context jdnn's CUDA backend (driver API) makes current on the caller's
 * thread. Every status is checked; a failure becomes the row's ERROR with cuDNN's, cuBLAS's or
 * the runtime's error string.
 *
 * <p>This class is the {@link VendorBaseline} and the thread; {@link CudnnHandles} holds what it
 * opens, {@link CudnnConv}, {@link CudnnPool}, {@link CudnnBatchNorm} and {@link CublasGemm} the
 * calls of each op family, {@link CudaHelpers} the buffers, copies and status checks they share.
 */
final class CudnnBaseline implements VendorBaseline {

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jdnn-cudnn-baseline");
        t.setDaemon(true);
        return t;
    });
    private final CudnnHandles handles;

    private CudnnBaseline(int index, String matchName, boolean tf32, boolean deterministic, long seed) {
        this.handles = new CudnnHandles(index, matchName, tf32, deterministic, seed);
    }

    /**
     * Loads the libraries and opens CUDA device {@code index} (or, when it is negative, the CUDA
     * device named {@code matchName}); never throws: what fails to load becomes the n/a reason.
     */
    static VendorBaseline open(int index, String matchName, boolean tf32, boolean deterministic, long seed) {
        CudnnBaseline b = new CudnnBaseline(index, matchName, tf32, deterministic, seed);
        try {
            b.onThread(() -> {
                b.handles.init();
                return null;
            });
            return b;
        } catch (RuntimeException | LinkageError e) {
            b.close();
            return VendorBaseline.unavailable(message(e));
        }
    }

    @Override
    public String describe() {
        return handles.description;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Optional<String> whyNot(Op op) {
        BenchProblem p = op.problem();
        Optional<String> shape = unsupported(p);
        if (shape.isPresent()) {
            return shape;
        }
        if (p instanceof BenchProblem.Linear) {
            return handles.blas == null ? Optional.of(handles.blasMissing) : Optional.empty();
        }
        return handles.dnn == null ? Optional.of(handles.dnnMissing) : Optional.empty();
    }

    /**
     * Why cuDNN and cuBLAS have no call that computes exactly problem {@code p}, whatever is
     * loaded; empty when one of them has (loading may still fail).
     */
    static Optional<String> unsupported(BenchProblem p) {
        if (p instanceof BenchProblem.Step) {
            return Optional.of("neither cuDNN nor cuBLAS has an optimizer step");
        }
        if (p instanceof BenchProblem.TensorFamily) {
            return Optional.of("no cuDNN or cuBLAS baseline for the tensor ops");
        }
        if (p instanceof BenchProblem.Resample) {
            return Optional.of("no cuDNN or cuBLAS baseline for the resampling ops");
        }
        if (p instanceof BenchProblem.GroupNorm || p instanceof BenchProblem.Lrn) {
            return Optional.of("no cuDNN baseline is wired for " + p.kind());
        }
        if (p instanceof BenchProblem.Conv conv && conv.problem().isAsymmetric()) {
            return Optional.of("cuDNN convolution takes one padding per axis; this problem pads top/bottom "
                    + conv.problem().padH() + "/" + conv.problem().padBottom() + ", left/right "
                    + conv.problem().padW() + "/" + conv.problem().padRight());
        }
        if (p instanceof BenchProblem.Pool pool) {
            PoolProblem q = pool.problem();
            if (q.mode() == PoolMode.MAX && (q.dilationH() != 1 || q.dilationW() != 1)) {
                return Optional.of("cuDNN pooling has no dilation");
            }
            if (q.mode() == PoolMode.ADAPTIVE_AVG && (q.height() % q.adaptiveH() != 0 || q.width() % q.adaptiveW() != 0)) {
                return Optional.of("cuDNN has no adaptive pooling; only an output size that divides the input maps onto a fixed window");
            }
            if (q.isAsymmetric()) {
                return Optional.of("cuDNN pooling takes one padding per axis; this problem pads top/bottom "
                        + q.padH() + "/" + q.padBottom() + ", left/right " + q.padW() + "/" + q.padRight());
            }
        }
        if (p instanceof BenchProblem.BatchNorm bn && bn.problem().eps() < CUDNN_BN_MIN_EPSILON) {
            return Optional.of("eps " + bn.problem().eps() + " is below CUDNN_BN_MIN_EPSILON " + CUDNN_BN_MIN_EPSILON);
        }
        return Optional.empty();
    }

    @Override
    public VendorResult run(Op op, Op verifyOp, Inputs.Host host, ReferenceOutputs reference, Timing.Settings timing,
                            long rotationBytes) {
        Optional<String> why = whyNot(op);
        if (why.isPresent()) {
            return VendorResult.na(why.get());
        }
        String library = op.problem() instanceof BenchProblem.Linear ? "cuBLAS" : "cuDNN";
        try {
            return onThread(() -> measure(library, op, verifyOp, host, reference, timing, rotationBytes));
        } catch (RuntimeException | LinkageError e) {
            return new VendorResult(library, Disposition.ERROR, "", message(e), Double.NaN, "", null);
        }
    }

    private VendorResult measure(String library, Op op, Op vop, Inputs.Host host, ReferenceOutputs reference,
                                 Timing.Settings timing, long rotationBytes) {
        List<Buf> owned = new ArrayList<>();
        try (Family family = family(op, vop)) {
            Optional<String> bad = family.check();
            if (bad.isPresent()) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", bad.get(), Double.NaN, "", null);
            }
            long setBytes = family.extraBytes();
            for (Op.TensorSpec s : op.tensors()) {
                setBytes += s.shape().bytes();
            }
            long free = (long) (freeBytes() * 0.8) - CudnnConv.MAX_WORKSPACE;
            if (setBytes > free) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "memory: one set of buffers needs "
                        + MemoryBudget.mib(setBytes) + ", " + MemoryBudget.mib(Math.max(0, free)) + " of free GPU memory",
                        Double.NaN, "", null);
            }
            int sets = (int) Math.max(1, Math.min(64, Math.min((rotationBytes + setBytes - 1) / setBytes, free / setBytes)));
            List<Map<String, Pointer>> full = new ArrayList<>();
            int salt = 0;
            for (int i = 0; i < sets; i++) {
                Map<String, Pointer> set = new LinkedHashMap<>();
                for (Op.TensorSpec s : op.tensors()) {
                    Buf b = Buf.alloc(s.shape().bytes());
                    owned.add(b);
                    handles.fillRandom(b, s.fill(), salt++);
                    set.put(s.name(), b.p);
                }
                full.add(set);
            }
            for (Map<String, Pointer> set : full) {
                family.setUp(set);
            }
            List<Kernel> kernels = family.kernels(full.get(0));
            if (kernels.isEmpty()) {
                return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "cudnnFind returned no algorithm that runs "
                        + "this problem" + (handles.deterministic ? " deterministically" : "") + (handles.tf32 ? "" : " without TF32"),
                        Double.NaN, "", null);
            }
            double bound = vendorBound(op);
            Timing.Stats best = null;
            Kernel bestKernel = null;
            double bestError = Double.NaN;
            String incorrect = null;
            String unverified = null;
            for (Kernel k : kernels) {
                double error = Double.NaN;
                String skip = reference.skipped();
                if (reference.available()) {
                    Verified v = verify(k, family, vop, host, reference, bound);
                    if (v.skipped != null) {
                        skip = v.skipped;
                    } else if (!(v.error <= bound)) {
                        if (incorrect == null) {
                            incorrect = k.label() + ": " + v.detail;
                        }
                        continue;
                    } else {
                        error = v.error;
                        skip = null;
                    }
                }
                int[] next = {0};
                k.select();
                Timing.Stats stats = Timing.measure(n -> handles.time(n, () -> k.run(full.get(next[0]++ % full.size()))), timing);
                if (best == null || stats.median() < best.median()) {
                    best = stats;
                    bestKernel = k;
                    bestError = error;
                    unverified = skip;
                }
            }
            if (best == null) {
                return new VendorResult(library, Disposition.INCORRECT, "", incorrect, Double.NaN, "", null);
            }
            return new VendorResult(library, unverified == null ? Disposition.PASSED : Disposition.VERIFY_SKIPPED,
                    bestKernel.label(), unverified == null ? "" : unverified, bestError,
                    unverified == null ? reference.verified() : "", best);
        } catch (OutOfMemory e) {
            return new VendorResult(library, Disposition.NOT_SUPPORTED, "", "memory: " + e.getMessage(), Double.NaN, "", null);
        } finally {
            for (Buf b : owned) {
                b.close();
            }
        }
    }

    /**
     * The bound a vendor result is held to. cuDNN's FP32 algorithms include Winograd and FFT
     * variants whose transforms cost about a decimal digit over a direct dot product: the bound of
     * jdnn's {@link ConvAlgorithm#WINOGRAD}. TF32 results: {@link ConvAlgorithm#TENSOR_CORE_TF32}'s.
     * The GEMM: {@link ConvAlgorithm#IM2COL_GEMM}'s, as for jdnn's linear layers; pooling and batch
     * norm: the bounds of {@link ErrorBounds}.
     */
    private double vendorBound(Op op) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Conv) {
            return handles.tf32 ? ConvAlgorithm.TENSOR_CORE_TF32.errorBound() : ConvAlgorithm.WINOGRAD.errorBound();
        }
        if (p instanceof BenchProblem.Linear) {
            return handles.tf32 ? ConvAlgorithm.TENSOR_CORE_TF32.errorBound() : ConvAlgorithm.IM2COL_GEMM.errorBound();
        }
        if (p instanceof BenchProblem.Pool) {
            return ErrorBounds.POOLING;
        }
        return ErrorBounds.REDUCTION;
    }

    private record Verified(double error, String detail, String skipped) {
    }

    /** Runs {@code k} at the verification size on the host inputs and compares every output with the reference. */
    private Verified verify(Kernel k, Family family, Op vop, Inputs.Host host, ReferenceOutputs reference,
                            double bound) {
        List<Buf> owned = new ArrayList<>();
        try {
            Map<String, Pointer> b = new LinkedHashMap<>();
            for (Op.TensorSpec s : vop.tensors()) {
                Buf buf = Buf.alloc(s.shape().bytes());
                owned.add(buf);
                upload(buf, host.array(s));
                b.put(s.name(), buf.p);
            }
            family.setUpSmall(b);
            Optional<String> cannot = k.runSmall(b);
            if (cannot.isPresent()) {
                return new Verified(Double.NaN, "", cannot.get());
            }
            checkCuda(cudaDeviceSynchronize(), k.label() + " (verification run)");
            double worst = 0;
            String detail = "";
            for (Op.TensorSpec s : vop.tensors()) {
                if (!s.compared() || !reference.compares(s.name())) {
                    continue;
                }
                double[] out = download(b.get(s.name()), (int) s.shape().elements());
                double e = reference.error(s.name(), out);
                if (!(e <= worst)) {
                    worst = e;
                    detail = String.format(Locale.ROOT, "max |out - ref| / max |ref| = %.2e in '%s' > bound %.0e (%s)",
                            e, s.name(), bound, reference.verified());
                }
            }
            return new Verified(worst, detail, null);
        } finally {
            for (Buf b : owned) {
                b.close();
            }
        }
    }

    private Family family(Op op, Op vop) {
        BenchProblem p = op.problem();
        if (p instanceof BenchProblem.Conv c) {
            ConvDirection dir = switch (op.pass()) {
                case FWD -> ConvDirection.FORWARD;
                case BWD_DATA -> ConvDirection.BACKWARD_DATA;
                default -> ConvDirection.BACKWARD_FILTER;
            };
            return new CudnnConv(handles, ConvMapping.of(c.problem(), dir),
                    ConvMapping.of(((BenchProblem.Conv) vop.problem()).problem(), dir));
        }
        if (p instanceof BenchProblem.Pool pool) {
            return new CudnnPool(handles, pool.problem(), ((BenchProblem.Pool) vop.problem()).problem(), op.pass());
        }
        if (p instanceof BenchProblem.BatchNorm bn) {
            return new CudnnBatchNorm(handles, bn.problem(), ((BenchProblem.BatchNorm) vop.problem()).problem(), op.pass());
        }
        BenchProblem.Linear l = (BenchProblem.Linear) p;
        return new CublasGemm(handles, GemmMapping.of(l.problem(), op.pass()),
                GemmMapping.of(((BenchProblem.Linear) vop.problem()).problem(), op.pass()));
    }

    /** Runs {@code body} on this baseline's thread and returns its result; rethrows what it throws. */
    private <T> T onThread(Callable<T> body) {
        Future<T> f = thread.submit(body);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VendorException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new VendorException(message(c));
        }
    }

    @Override
    public void close() {
        try {
            Future<?> f = thread.submit(handles::close);
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            // closing after a failed load: nothing native to free
        } finally {
            thread.shutdown();
        }
    }
}
