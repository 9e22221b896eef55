package io.jdnn.kernels;

import io.jdnn.Activation;
import io.jdnn.AlgorithmNotSupportedException;
import io.jdnn.BatchNormProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceException;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.LinearProblem;
import io.jdnn.Philox;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;
import io.jdnn.spi.ConvSelector;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backend-neutral half of a GPU device: every op of {@link DeviceBackend} written once as
 * launches of the portable kernels of {@code kernels/src} (which kernel of which source, which
 * arguments in which order, which launch shape), the GEMM tile choice, the reduction kernels'
 * work-group sizes, and the convolution algorithm registry (AUTO is planned by {@link io.jdnn.Device};
 * its measurements here are {@link KernelConvSelector}). A backend (OpenCL, CUDA) extends
 * it with the primitives: {@link #launch} returning its {@link KernelLaunch}, memory
 * ({@link #allocate}, {@link #free}, {@link #read}, {@link #write}, {@link #copy},
 * {@link #writeInts}, {@link #workspace}, {@link #placeholder}), launch-geometry properties
 * ({@link #elementwiseLocalSize}, {@link #maxGridStrideGroups}, {@link #maxLocalSize},
 * {@link #localMemoryBytes}),
 * {@link #synchronize}, {@link #startTimer}, {@link #info} and {@link #close}.
 *
 * <p>Calls arrive serialized by {@link io.jdnn.Device}; work is issued asynchronously on the
 * backend's one in-order queue (stream), so a workspace can be reused by the next op.
 */
public abstract class KernelDevice implements DeviceBackend {

    private final DeviceOptions options;
    private final Map<String, Integer> reductionLocalSizes = new HashMap<>();
    private final List<KernelConvAlgorithm> convAlgorithms;
    private Gemm.Tiles gemmTiles;

    /** A launch of a reduction kernel and the work-group size it was built for: launch exactly that many. */
    public record Reduction(KernelLaunch launch, int localSize) {
    }

    /** A device running the convolution algorithms every GPU backend has, {@link KernelConvAlgorithms#ALL}. */
    protected KernelDevice(DeviceOptions options) {
        this(options, KernelConvAlgorithms.ALL);
    }

    /**
     * A device running the convolution algorithms of {@code convAlgorithms}, in that preferred
     * order: {@link KernelConvAlgorithms#ALL} and a backend's own, or a test's stand-ins.
     */
    protected KernelDevice(DeviceOptions options, List<? extends KernelConvAlgorithm> convAlgorithms) {
        this.options = options;
        this.convAlgorithms = List.copyOf(convAlgorithms);
    }

    /** The options the device was opened with. */
    public DeviceOptions options() {
        return options;
    }

    // ================================================================== primitives (the backend's)

    /**
     * A launch of kernel {@code name} of {@code source} built with {@code defines} (tuning
     * constants; an empty map means the source's defaults). Throws DeviceException when the
     * kernel cannot be had (a failed build; on CUDA, a define set the fatbin was not built with).
     */
    public abstract KernelLaunch launch(String op, String problem, String source, Map<String, ?> defines, String name);

    /** A launch of kernel {@code name} of {@code source} with the source's default defines. */
    public final KernelLaunch launch(String op, String problem, String source, String name) {
        return launch(op, problem, source, Map.of(), name);
    }

    /**
     * A scratch buffer of at least {@code elements} floats kept by this device under {@code name}
     * and grown on demand (for kernels' temporaries: row losses, labels, im2col columns). The
     * queue is in order, so a workspace can be reused by the next op; one op must not use a name
     * twice for different data.
     */
    public abstract Buffer workspace(String name, long elements);

    /** A one-element buffer that kernels never touch, passed with a flag for an absent optional buffer. */
    public abstract Buffer placeholder();

    /** Writes ints (labels) into a buffer of 4-byte elements; {@code src} may be reused as soon as this returns. */
    public abstract void writeInts(Buffer dst, int[] src, String op);

    /** Work-items per group for grid-stride (element-wise) kernels. */
    public abstract int elementwiseLocalSize();

    /** Groups at most for grid-stride kernels and for kernels whose groups loop over rows or channels. */
    public abstract long maxGridStrideGroups();

    /** The largest work-group (block) the device runs, any kernel. */
    public abstract long maxLocalSize();

    /** Local (shared) memory one work-group may use, in bytes: for algorithms that size tiles by it. */
    public abstract long localMemoryBytes();

    /** The DeviceException a backend raises when no variant of a kernel fits its work-group limits. */
    protected abstract DeviceException launchConfigurationError(String op, String kernel, String problem,
                                                                String detail);

    /**
     * The convolution algorithms of this backend, in its preferred order: the shared
     * {@link KernelConvAlgorithms#ALL}, to which a backend may append its own.
     */
    public final List<KernelConvAlgorithm> convAlgorithms() {
        return convAlgorithms;
    }

    // ================================================================== helpers for ops and algorithms

    /** {@code b}, or the {@link #placeholder()} when b is null (kernels take a flag saying it is absent). */
    public final Buffer orPlaceholder(Buffer b) {
        return b == null ? placeholder() : b;
    }

    /**
     * Groups to launch for a kernel whose work-groups loop over {@code count} rows or channels
     * (group g takes g, g + groups, ...): one per row up to the grid-stride cap.
     */
    public final long cappedGroups(long count) {
        return Math.min(count, maxGridStrideGroups());
    }

    /**
     * A kernel whose work-group size is the compile-time define {@code localDefine} (the size of
     * its local reduction array): built with the source's default for it (clamped to a power of
     * two the device allows), halved while the device cannot run a group that large with this
     * kernel. Launch it with exactly {@link Reduction#localSize()} work-items a group. The size is
     * remembered per kernel for the device's life.
     */
    public final Reduction reduction(String op, String problem, String source, String name, String localDefine) {
        String key = source + ":" + name + ":" + localDefine;
        Integer known = reductionLocalSizes.get(key);
        if (known != null) {
            return new Reduction(launch(op, problem, source, Map.of(localDefine, known), name), known);
        }
        int preferred = KernelSources.defaultInt(source, localDefine);
        int local = (int) Math.min(preferred, Long.highestOneBit(Math.max(1, maxLocalSize())));
        while (true) {
            KernelLaunch l = launch(op, problem, source, Map.of(localDefine, local), name);
            if (l.maxLocalSize() >= local || local == 1) {
                reductionLocalSizes.put(key, local);
                return new Reduction(l, local);
            }
            local /= 2;
        }
    }

    /** The gemm tile shape: the first of {@link Gemm#TILES} whose work-group this device runs, chosen once. */
    public final Gemm.Tiles gemmTiles(String op, String problem) {
        if (gemmTiles != null) {
            return gemmTiles;
        }
        for (Gemm.Tiles t : Gemm.TILES) {
            if (t.threads() > maxLocalSize()) {
                continue;
            }
            KernelLaunch l = launch(op, problem, Gemm.SOURCE, t.defines(), Gemm.KERNEL);
            if (l.maxLocalSize() >= t.threads()) {
                gemmTiles = t;
                return t;
            }
        }
        throw launchConfigurationError(op, Gemm.KERNEL, problem,
                "no gemm tile shape fits this device's work-group limit of " + maxLocalSize());
    }

    // ================================================================== memory ops made of kernels

    @Override
    public void fill(Buffer dst, long elements, double value) {
        launch("fill", "n=" + elements, "elementwise.cl", "ew_fill")
                .arg(elements).arg((float) value).arg(dst)
                .elements(elements);
    }

    // ================================================================== convolution

    @Override
    public List<ConvAlgorithm> algorithms() {
        return KernelConvAlgorithms.ids(convAlgorithms());
    }

    /** What the algorithm's {@link KernelConvAlgorithm#deterministic()} declares; false for one not registered. */
    @Override
    public boolean isDeterministic(ConvAlgorithm algorithm) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(convAlgorithms(), algorithm);
        return a != null && a.deterministic();
    }

    @Override
    public Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(convAlgorithms(), algorithm);
        if (a == null) {
            return Optional.of(algorithm + " is not implemented by the " + info().backend() + " backend (it implements "
                    + algorithms() + ")");
        }
        return a.whyNot(this, conv, direction);
    }

    /** AUTO's measurements on this device: {@link KernelConvSelector}. */
    @Override
    public ConvSelector convSelector() {
        return new KernelConvSelector(this);
    }

    /** The registered algorithm {@code id}, which {@link io.jdnn.Device} has planned (checked with whyNot). */
    private KernelConvAlgorithm algorithm(DirectConv conv, ConvDirection direction, ConvAlgorithm id) {
        KernelConvAlgorithm a = KernelConvAlgorithms.find(convAlgorithms(), id);
        if (a == null) {
            throw new AlgorithmNotSupportedException(id, direction, info().spec(), conv.toString(),
                    whyNot(conv, direction, id).orElse("not registered"));
        }
        return a;
    }

    @Override
    public void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y) {
        algorithm(conv, ConvDirection.FORWARD, algorithm)
                .forward(this, conv, x, w, bias, y);
    }

    @Override
    public void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias,
                                 Buffer dx) {
        algorithm(conv, ConvDirection.BACKWARD_DATA, algorithm)
                .backwardData(this, conv, dy, w, bias, dx);
    }

    @Override
    public void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw) {
        algorithm(conv, ConvDirection.BACKWARD_FILTER, algorithm)
                .backwardFilter(this, conv, x, dy, dw);
    }

    @Override
    public void channelSum(int n, int c, long inner, Buffer x, Buffer out) {
        String problem = "n=" + n + " c=" + c + " inner=" + inner;
        long chunk = KernelSources.defaultInt("reduce.cl", "REDUCE_CHUNK");
        long chunks = ((long) n * inner + chunk - 1) / chunk;
        Buffer partial = chunks == 1 ? out : workspace("channelSum.partial", c * chunks);
        Reduction sums = reduction("channelSum", problem, "reduce.cl", "reduce_chunk_sums", "REDUCE_WG");
        sums.launch()
                .arg(n).arg(c).arg(inner).arg(chunks).arg(chunk).arg(x).arg(partial)
                .groups(cappedGroups(c * chunks), sums.localSize());
        if (chunks > 1) {
            Reduction combine = reduction("channelSum", problem, "reduce.cl", "reduce_combine", "REDUCE_WG");
            combine.launch()
                    .arg(c).arg(chunks).arg(partial).arg(out)
                    .groups(cappedGroups(c), combine.localSize());
        }
    }

    // ================================================================== pooling

    @Override
    public void poolForward(PoolProblem p, Buffer x, Buffer y) {
        long total = p.outputShape().elements();
        String problem = p.toString();
        switch (p.mode()) {
            case MAX -> poolWindow(launch("poolForward", problem, "pool.cl", "pool_max_forward").arg(total), p)
                    .arg(p.dilationH()).arg(p.dilationW()).arg(x).arg(y)
                    .elements(total);
            case AVG -> poolWindow(launch("poolForward", problem, "pool.cl", "pool_avg_forward").arg(total), p)
                    .arg(p.countIncludePad()).arg(x).arg(y)
                    .elements(total);
            case ADAPTIVE_AVG -> launch("poolForward", problem, "pool.cl", "pool_adaptive_avg_forward")
                    .arg(total).arg(p.height()).arg(p.width()).arg(p.outHeight()).arg(p.outWidth())
                    .arg(x).arg(y)
                    .elements(total);
        }
    }

    @Override
    public void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        long total = p.inputShape().elements();
        String problem = p.toString();
        if (p.mode() == PoolMode.MAX) {
            int capacity = KernelSources.defaultInt("pool.cl", "POOL_TILE_WINDOWS");
            PoolTile tile = poolMaxTile(p, capacity);
            if (tile != null && localMemoryBytes() >= (long) capacity * Long.BYTES) {
                KernelLaunch l = launch("poolBackward", problem, "pool.cl", "pool_max_backward_tiled");
                long planes = (long) p.batch() * p.channels();
                long tiles = planes * ((p.outHeight() - 1) / tile.rows() + 1) * ((p.outWidth() - 1) / tile.cols() + 1);
                long local = Math.min(elementwiseLocalSize(), l.maxLocalSize());
                poolWindow(l.arg(planes), p)
                        .arg(p.dilationH()).arg(p.dilationW()).arg(tile.rows()).arg(tile.cols()).arg(x).arg(dy).arg(dx)
                        .groups(cappedGroups(tiles), local);
            } else {
                // Not a fallback to another device: the same op on this device, the kernel that
                // re-finds a window's argmax for each element it holds (bitwise the same dx), for
                // windows too far apart (huge dilation, small stride) for a tile's halo to fit
                // (or a device without the tiled kernel's 8 KiB of local memory).
                poolWindow(launch("poolBackward", problem, "pool.cl", "pool_max_backward").arg(total), p)
                        .arg(p.dilationH()).arg(p.dilationW()).arg(x).arg(dy).arg(dx)
                        .elements(total);
            }
        } else if (p.mode() == PoolMode.AVG) {
            poolWindow(launch("poolBackward", problem, "pool.cl", "pool_avg_backward").arg(total), p)
                    .arg(p.countIncludePad()).arg(dy).arg(dx)
                    .elements(total);
        } else {
            launch("poolBackward", problem, "pool.cl", "pool_adaptive_avg_backward")
                    .arg(total).arg(p.height()).arg(p.width()).arg(p.outHeight()).arg(p.outWidth())
                    .arg(dy).arg(dx)
                    .elements(total);
        }
    }

    /** A tile of max-pooling backward's output windows: {@code rows x cols} of one plane. */
    public record PoolTile(int rows, int cols) {
    }

    /** Max-pooling backward: the output windows a tile aims at (256: several groups per compute unit on a small batch). */
    static final int POOL_TILE_TARGET = 256;

    /**
     * The tile of {@code pool_max_backward_tiled} for max-pooling problem {@code p} with a local
     * array of {@code capacity} windows, or null when a 1x1 tile with its halo does not fit (then
     * {@code pool_max_backward} runs). The halo is haloH = floor((kh-1)*dh / sh) window rows above
     * the tile (haloW columns left of it) whose argmaxes the tile's input rows also need. The tile
     * has at most {@link #POOL_TILE_TARGET} windows, at most OH x OW, and with its halo at most
     * {@code capacity}: the most windows, ties to the smallest halo (the squarest); then each side
     * is evened out over the same number of tiles (56 rows in tiles of 16 become 4 tiles of 14).
     */
    public static PoolTile poolMaxTile(PoolProblem p, int capacity) {
        long haloH = (long) (p.kernelH() - 1) * p.dilationH() / p.strideH();
        long haloW = (long) (p.kernelW() - 1) * p.dilationW() / p.strideW();
        if (haloH >= capacity || haloW >= capacity || (haloH + 1) * (haloW + 1) > capacity) {
            return null;
        }
        int oh = p.outHeight();
        int ow = p.outWidth();
        int bestH = 1;
        int bestW = 1;
        for (int th = 1; th <= Math.min(oh, POOL_TILE_TARGET); th++) {
            long tw = Math.min(Math.min(ow, POOL_TILE_TARGET / th), capacity / (th + haloH) - haloW);
            if (tw < 1) {
                break; // a taller tile leaves less room still
            }
            long windows = th * tw;
            long best = (long) bestH * bestW;
            if (windows > best || windows == best && (th + haloH) * (tw + haloW) < (bestH + haloH) * (bestW + haloW)) {
                bestH = th;
                bestW = (int) tw;
            }
        }
        long tilesH = (oh - 1) / bestH + 1;
        long tilesW = (ow - 1) / bestW + 1;
        return new PoolTile((int) ((oh - 1) / tilesH + 1), (int) ((ow - 1) / tilesW + 1));
    }

    /** The window arguments the MAX and AVG kernels share, after {@code total}, in their parameter order. */
    private static KernelLaunch poolWindow(KernelLaunch l, PoolProblem p) {
        return l.arg(p.height()).arg(p.width()).arg(p.outHeight()).arg(p.outWidth())
                .arg(p.kernelH()).arg(p.kernelW()).arg(p.strideH()).arg(p.strideW()).arg(p.padH()).arg(p.padW());
    }

    // ================================================================== batch norm

    private static long spatial(BatchNormProblem p) {
        return (long) p.height() * p.width();
    }

    /**
     * Values of a channel per (channel, chunk) pair of batchnorm.cl: the statistics kernel's
     * work-group size times {@code BN_ITEMS}, the values each of its work-items holds.
     */
    private static long batchNormChunk(int localSize) {
        return (long) localSize * KernelSources.defaultInt("batchnorm.cl", "BN_ITEMS");
    }

    /** Chunks per channel: ceil(N*H*W / chunk). */
    private static long batchNormChunks(BatchNormProblem p, long chunk) {
        return (p.reductionSize() + chunk - 1) / chunk;
    }

    /** The partial sums of every (channel, chunk) pair: two floats each. */
    private Buffer batchNormPartials(BatchNormProblem p, long chunks) {
        return workspace("batchNorm.partial", 2L * p.channels() * chunks);
    }

    @Override
    public void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                               Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        String op = "batchNormTrain";
        String problem = p.toString();
        if (p.reductionSize() < 2) {
            // PyTorch: "Expected more than 1 value per channel when training"; the unbiased variance divides by M-1.
            throw new IllegalArgumentException("batchNormTrain(" + p + "): expected more than 1 value per channel "
                    + "(batch * height * width > 1) in training mode, got " + p.reductionSize());
        }
        Reduction stats = reduction(op, problem, "batchnorm.cl", "bn_chunk_stats", "BN_WG");
        long chunk = batchNormChunk(stats.localSize());
        long chunks = batchNormChunks(p, chunk);
        long pairs = p.channels() * chunks;
        Buffer partial = batchNormPartials(p, chunks);
        stats.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks)
                .arg(x).arg(partial)
                .groups(cappedGroups(pairs), stats.localSize());
        Reduction combine = reduction(op, problem, "batchnorm.cl", "bn_stats_combine", "BN_WG");
        combine.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg((float) p.eps()).arg((float) p.momentum()).arg((float) (1.0 - p.momentum()))
                .arg(partial).arg(runningMean).arg(runningVar).arg(saveMean).arg(saveInvStd)
                .groups(cappedGroups(p.channels()), combine.localSize());
        launch(op, problem, "batchnorm.cl", "bn_normalize")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg(x).arg(gamma).arg(beta).arg(saveMean).arg(saveInvStd).arg(y)
                .groups(cappedGroups(pairs), elementwiseLocalSize());
    }

    @Override
    public void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                                   Buffer runningVar, Buffer y) {
        long chunk = batchNormChunk(KernelSources.defaultInt("batchnorm.cl", "BN_WG"));
        long chunks = batchNormChunks(p, chunk);
        launch("batchNormInference", p.toString(), "batchnorm.cl", "bn_inference")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk).arg((float) p.eps())
                .arg(x).arg(gamma).arg(beta)
                .arg(runningMean).arg(runningVar).arg(y)
                .groups(cappedGroups(p.channels() * chunks), elementwiseLocalSize());
    }

    @Override
    public void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        String op = "batchNormBackward";
        String problem = p.toString();
        Pairs pairs = gradSums(op, problem, p, x, dy, saveMean, null, null, null);
        gradCombine(op, problem, p, pairs, saveInvStd, false, dgamma, dbeta);
        launch(op, problem, "batchnorm.cl", "bn_backward_apply")
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(pairs.chunks()).arg(pairs.chunk())
                .arg(x).arg(dy).arg(gamma).arg(saveMean).arg(saveInvStd).arg(dgamma).arg(dbeta).arg(dx)
                .groups(cappedGroups(p.channels() * pairs.chunks()), elementwiseLocalSize());
    }

    @Override
    public void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                           Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        String op = "batchNormInferenceBackward";
        String problem = p.toString();
        Pairs pairs = gradSums(op, problem, p, x, dy, runningMean, gamma, runningVar, dx);
        gradCombine(op, problem, p, pairs, runningVar, true, dgamma, dbeta);
    }

    /** The (channel, chunk) pairs of one batch-norm call: values per chunk, chunks per channel, their partial sums. */
    private record Pairs(long chunk, long chunks, Buffer partial) {
    }

    /**
     * bn_chunk_grad_sums over every pair: sum dy and sum dy (x - mean) per pair; with {@code dx}
     * (inference backward) also dx = dy gamma / sqrt(var + eps), else gamma and var are unused (null).
     */
    private Pairs gradSums(String op, String problem, BatchNormProblem p, Buffer x, Buffer dy, Buffer mean,
                           Buffer gamma, Buffer var, Buffer dx) {
        Reduction sums = reduction(op, problem, "batchnorm.cl", "bn_chunk_grad_sums", "BN_WG");
        long chunk = batchNormChunk(sums.localSize());
        long chunks = batchNormChunks(p, chunk);
        Buffer partial = batchNormPartials(p, chunks);
        sums.launch()
                .arg(p.batch()).arg(p.channels()).arg(spatial(p)).arg(chunks).arg(chunk)
                .arg(x).arg(dy).arg(mean)
                .arg(dx != null).arg((float) p.eps()).arg(orPlaceholder(gamma)).arg(orPlaceholder(var))
                .arg(orPlaceholder(dx))
                .arg(partial)
                .groups(cappedGroups(p.channels() * chunks), sums.localSize());
        return new Pairs(chunk, chunks, partial);
    }

    /** dbeta and dgamma from the pairs' gradient sums; invstd is the saved one or comes from the running variance. */
    private void gradCombine(String op, String problem, BatchNormProblem p, Pairs pairs, Buffer invStdSource,
                             boolean fromVariance, Buffer dgamma, Buffer dbeta) {
        Reduction combine = reduction(op, problem, "batchnorm.cl", "bn_grad_combine", "BN_WG");
        combine.launch()
                .arg(p.channels()).arg(pairs.chunks()).arg(pairs.partial())
                .arg(invStdSource).arg(fromVariance).arg((float) p.eps())
                .arg(dgamma).arg(dbeta)
                .groups(cappedGroups(p.channels()), combine.localSize());
    }

    // ================================================================== element-wise

    /** The kernels' numbering of the activation kinds (EW_RELU ... in elementwise.cl). */
    private static int activationCode(Activation.Kind kind) {
        return switch (kind) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case ELU -> 2;
            case SIGMOID -> 3;
            case TANH -> 4;
        };
    }

    @Override
    public void activationForward(Activation a, long n, Buffer x, Buffer y) {
        launch("activationForward", a + " n=" + n, "elementwise.cl", "ew_activation_forward")
                .arg(n).arg(activationCode(a.kind())).arg((float) a.alpha()).arg(x).arg(y)
                .elements(n);
    }

    @Override
    public void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        launch("activationBackward", a + " n=" + n, "elementwise.cl", "ew_activation_backward")
                .arg(n).arg(activationCode(a.kind())).arg((float) a.alpha())
                .arg(x).arg(dy).arg(dx)
                .elements(n);
    }

    @Override
    public void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        launch("axpby", "n=" + n, "elementwise.cl", "ew_axpby")
                .arg(n).arg((float) alpha).arg(a).arg((float) beta).arg(b).arg(out)
                .elements(n);
    }

    @Override
    public void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y) {
        dropout("dropoutForward", n, p, seed, offset, x, y);
    }

    @Override
    public void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx) {
        dropout("dropoutBackward", n, p, seed, offset, dy, dx);
    }

    private void dropout(String op, long n, double p, long seed, long offset, Buffer in, Buffer out) {
        String problem = "n=" + n + " p=" + p + " seed=" + seed + " offset=" + offset;
        withPhilox(launch(op, problem, "elementwise.cl", "ew_dropout")
                .arg(n).arg(Philox.dropoutThreshold(p)).arg((float) (1.0 / (1.0 - p))), seed, offset)
                .arg(in).arg(out)
                .elements((n + 3) / 4);
    }

    @Override
    public void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out) {
        String problem = "n=" + n + " lo=" + lo + " hi=" + hi + " seed=" + seed + " offset=" + offset;
        withPhilox(launch("randomUniform", problem, "elementwise.cl", "ew_random_uniform")
                .arg(n).arg((float) lo).arg((float) (hi - lo)), seed, offset)
                .arg(out)
                .elements((n + 3) / 4);
    }

    @Override
    public void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out) {
        String problem = "n=" + n + " mean=" + mean + " std=" + std + " seed=" + seed + " offset=" + offset;
        withPhilox(launch("randomNormal", problem, "elementwise.cl", "ew_random_normal")
                .arg(n).arg((float) mean).arg((float) std), seed, offset)
                .arg(out)
                .elements(n);
    }

    /** The Philox key (seed) and counter half (offset) as the four u32 arguments the kernels take. */
    private static KernelLaunch withPhilox(KernelLaunch l, long seed, long offset) {
        return l.arg((int) seed).arg((int) (seed >>> 32)).arg((int) offset).arg((int) (offset >>> 32));
    }

    // ================================================================== softmax, loss, linear

    @Override
    public void softmaxForward(int rows, int cols, Buffer x, Buffer y) {
        String problem = "rows=" + rows + " cols=" + cols;
        Reduction rk = reduction("softmaxForward", problem, "softmax.cl", "softmax_forward", "SOFTMAX_WG");
        rk.launch()
                .arg(rows).arg(cols).arg(x).arg(y)
                .groups(cappedGroups(rows), rk.localSize());
    }

    @Override
    public void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        String problem = "rows=" + rows + " cols=" + cols;
        Reduction rk = reduction("softmaxBackward", problem, "softmax.cl", "softmax_backward", "SOFTMAX_WG");
        rk.launch()
                .arg(rows).arg(cols).arg(y).arg(dy).arg(dx)
                .groups(cappedGroups(rows), rk.localSize());
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits, Buffer loss,
                                    Buffer dlogits) {
        String op = "softmaxCrossEntropy";
        String problem = "rows=" + rows + " cols=" + cols + " smoothing=" + labelSmoothing;
        Buffer labelBuf = workspace("softmaxCrossEntropy.labels", rows);
        Buffer rowLoss = workspace("softmaxCrossEntropy.rowLoss", rows);
        writeInts(labelBuf, labels, op);
        double off = labelSmoothing / cols;
        double on = 1.0 - labelSmoothing + off;
        double onComplement = labelSmoothing * (cols - 1) / cols; // 1 - on, without the cancellation
        Reduction perRow = reduction(op, problem, "softmax.cl", "softmax_xent_rows", "SOFTMAX_WG");
        perRow.launch()
                .arg(rows).arg(cols).arg(labelBuf).arg((float) on).arg((float) off).arg((float) onComplement)
                .arg(logits).arg(rowLoss).arg(dlogits)
                .groups(cappedGroups(rows), perRow.localSize());
        Reduction mean = reduction(op, problem, "softmax.cl", "softmax_xent_mean", "SOFTMAX_WG");
        mean.launch()
                .arg(rows).arg(rowLoss).arg(loss)
                .groups(1, mean.localSize());
    }

    @Override
    public void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        // y (batch, out) = x (batch, in) w^T; w is (out, in), so op(B) = w^T reads w[n*in + k].
        Gemm.of(p.batch(), p.outFeatures(), p.inFeatures())
                .a(x, 0, p.inFeatures(), false)
                .b(w, 0, p.inFeatures(), true)
                .c(y, 0, p.outFeatures())
                .biasPerColumn(bias, 0)
                .run(this, "linearForward", p.toString());
    }

    @Override
    public void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        // dx (batch, in) = dy (batch, out) w (out, in)
        Gemm.of(p.batch(), p.inFeatures(), p.outFeatures())
                .a(dy, 0, p.outFeatures(), false)
                .b(w, 0, p.inFeatures(), false)
                .c(dx, 0, p.inFeatures())
                .run(this, "linearBackwardData", p.toString());
    }

    @Override
    public void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        // dw (out, in) = dy^T (out, batch) x (batch, in); dy is (batch, out), so op(A) = dy^T reads dy[k*out + m].
        Gemm.of(p.outFeatures(), p.inFeatures(), p.batch())
                .a(dy, 0, p.outFeatures(), true)
                .b(x, 0, p.inFeatures(), false)
                .c(dw, 0, p.inFeatures())
                .run(this, "linearBackwardWeight", p.toString());
    }

    // ================================================================== optimizers

    @Override
    public void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state) {
        String op = "optimizerStep";
        String problem = rule + " step=" + step + " n=" + n;
        Buffer p = param;
        Buffer g = grad;
        if (rule instanceof Sgd s) {
            boolean momentum = s.momentum() != 0;
            launch(op, problem, "optimizer.cl", "opt_sgd")
                    .arg(n).arg((float) s.lr()).arg((float) s.momentum()).arg((float) (1.0 - s.dampening()))
                    .arg((float) s.weightDecay()).arg(momentum).arg(s.nesterov()).arg(step == 1)
                    .arg(p).arg(g).arg(momentum ? state[0] : placeholder())
                    .elements(n);
        } else if (rule instanceof AdaGrad a) {
            double clr = a.lr() / (1.0 + (step - 1) * a.lrDecay());
            launch(op, problem, "optimizer.cl", "opt_adagrad")
                    .arg(n).arg((float) clr).arg((float) a.weightDecay()).arg((float) a.eps())
                    .arg(p).arg(g).arg(state[0])
                    .elements(n);
        } else if (rule instanceof RmsProp r) {
            boolean momentum = r.momentum() > 0;
            int slot = 1;
            Buffer buf = momentum ? state[slot++] : placeholder();
            Buffer gradAvg = r.centered() ? state[slot] : placeholder();
            launch(op, problem, "optimizer.cl", "opt_rmsprop")
                    .arg(n).arg((float) r.lr()).arg((float) r.alpha()).arg((float) (1.0 - r.alpha()))
                    .arg((float) r.eps()).arg((float) r.weightDecay()).arg((float) r.momentum())
                    .arg(momentum).arg(r.centered())
                    .arg(p).arg(g).arg(state[0]).arg(buf).arg(gradAvg)
                    .elements(n);
        } else if (rule instanceof Adam a) {
            adam(op, problem, step, n, a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), 1.0, a.amsgrad(), p, g,
                    state);
        } else if (rule instanceof AdamW a) {
            adam(op, problem, step, n, a.lr(), a.beta1(), a.beta2(), a.eps(), 0.0, 1.0 - a.lr() * a.weightDecay(),
                    a.amsgrad(), p, g, state);
        } else if (rule instanceof AdaDelta d) {
            launch(op, problem, "optimizer.cl", "opt_adadelta")
                    .arg(n).arg((float) d.lr()).arg((float) d.rho()).arg((float) (1.0 - d.rho())).arg((float) d.eps())
                    .arg((float) d.weightDecay())
                    .arg(p).arg(g).arg(state[0]).arg(state[1])
                    .elements(n);
        } else {
            throw new IllegalArgumentException("rule: expected one of Sgd, AdaGrad, RmsProp, Adam, AdamW, AdaDelta, got "
                    + rule);
        }
    }

    /** Adam and AdamW: bias corrections for step t in float64, each factor rounded to float once. */
    private void adam(String op, String problem, long step, long n, double lr, double beta1, double beta2, double eps,
                      double l2, double decay, boolean amsgrad, Buffer p, Buffer g, Buffer[] state) {
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2 = 1.0 - Math.pow(beta2, step);
        launch(op, problem, "optimizer.cl", "opt_adam")
                .arg(n).arg((float) (lr / bc1)).arg((float) beta1).arg((float) (1.0 - beta1))
                .arg((float) beta2).arg((float) (1.0 - beta2)).arg((float) eps).arg((float) Math.sqrt(bc2))
                .arg((float) l2).arg((float) decay).arg(amsgrad)
                .arg(p).arg(g).arg(state[0]).arg(state[1])
                .arg(amsgrad ? state[2] : placeholder())
                .elements(n);
    }

}
