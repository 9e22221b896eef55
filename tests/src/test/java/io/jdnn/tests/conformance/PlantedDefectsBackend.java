package io.jdnn.tests.conformance;

import io.jdnn.Activation;
import io.jdnn.BatchNormProblem;
import io.jdnn.BroadcastProblem;
import io.jdnn.CatProblem;
import io.jdnn.ConvAlgorithm;
import io.jdnn.ConvDirection;
import io.jdnn.DeviceInfo;
import io.jdnn.DeviceOptions;
import io.jdnn.DirectConv;
import io.jdnn.GroupNormProblem;
import io.jdnn.LinearProblem;
import io.jdnn.Loss;
import io.jdnn.LrnProblem;
import io.jdnn.MatMulProblem;
import io.jdnn.InterpolateProblem;
import io.jdnn.PadProblem;
import io.jdnn.PermuteProblem;
import io.jdnn.PixelShuffleProblem;
import io.jdnn.PoolMode;
import io.jdnn.PoolProblem;
import io.jdnn.Precision;
import io.jdnn.UnpoolProblem;
import io.jdnn.cpu.reference.ReferenceBackend;
import io.jdnn.optim.Optimizer;
import io.jdnn.spi.Buffer;
import io.jdnn.spi.DeviceBackend;

import java.util.List;
import java.util.Optional;

/**
 * A test-only backend: the reference backend's SPI with one planted defect at a time, declared as
 * a float32 device so that the suite holds it to the float32 bounds. Without a defect it must pass
 * every check with error 0; with one, the suite must report it at the right coordinates (see
 * {@link SuiteSelfTest}).
 */
final class PlantedDefectsBackend implements DeviceBackend {

    /** The defects this backend can plant. */
    enum Defect {
        NONE,
        /** The convolution's output element at {@link #index} (or, when negative, its largest) times 1 + 1e-3. */
        CONV_ELEMENT_OFF,
        /** The convolution's output element at {@link #index} is never written. */
        CONV_ELEMENT_UNWRITTEN,
        /** Max pooling keeps the last maximum of each window instead of the first (forward and backward). */
        MAX_POOL_LAST_TIE,
        /** Average pooling forward clips its windows one row short of the image's last row. */
        AVG_POOL_WINDOW_OFF_BY_ONE
    }

    private final DeviceBackend ref = new ReferenceBackend().open(null, DeviceOptions.DEFAULT);
    private final DeviceInfo info = new DeviceInfo("planted", 0, "reference with planted defects", 1L << 30, 1,
            Precision.FLOAT32, "test-only wrapper of the reference backend's SPI");

    /** The defect in force. */
    Defect defect = Defect.NONE;
    /** Flat index of the element a conv defect hits; negative: the element of largest magnitude. */
    long index = -1;
    /** The flat index the last conv defect hit. */
    long plantedAt = -1;
    /** Whether every output buffer a planted op received was all NaN (the suite's poison). */
    boolean outputsArrivedPoisoned = true;

    @Override
    public DeviceInfo info() {
        return info;
    }

    // ---------------------------------------------------------------- planted

    @Override
    public void convForward(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer w, Buffer bias, Buffer y) {
        notePoison(y);
        if (defect == Defect.CONV_ELEMENT_UNWRITTEN) {
            Buffer tmp = ref.allocate(y.elements());
            try {
                ref.convForward(conv, algorithm, x, w, bias, tmp);
                keepOneUnwritten(tmp, y);
            } finally {
                ref.free(tmp);
            }
            return;
        }
        ref.convForward(conv, algorithm, x, w, bias, y);
        if (defect == Defect.CONV_ELEMENT_OFF) {
            perturbOne(y);
        }
    }

    @Override
    public void convBackwardData(DirectConv conv, ConvAlgorithm algorithm, Buffer dy, Buffer w, Buffer bias, Buffer dx) {
        // A transposed convolution's forward pass runs here: the defects hit it as they hit convForward.
        notePoison(dx);
        if (defect == Defect.CONV_ELEMENT_UNWRITTEN) {
            Buffer tmp = ref.allocate(dx.elements());
            try {
                ref.convBackwardData(conv, algorithm, dy, w, bias, tmp);
                keepOneUnwritten(tmp, dx);
            } finally {
                ref.free(tmp);
            }
            return;
        }
        ref.convBackwardData(conv, algorithm, dy, w, bias, dx);
        if (defect == Defect.CONV_ELEMENT_OFF) {
            perturbOne(dx);
        }
    }

    private void perturbOne(Buffer out) {
        double[] v = readAll(out);
        int at = (int) index;
        if (at < 0) {
            at = 0;
            for (int i = 1; i < v.length; i++) {
                if (Math.abs(v[i]) > Math.abs(v[at])) {
                    at = i;
                }
            }
        }
        v[at] *= 1 + 1e-3;
        plantedAt = at;
        ref.writeDouble(out, 0, v, 0, v.length);
    }

    private void keepOneUnwritten(Buffer computed, Buffer out) {
        double[] v = readAll(computed);
        double[] old = readAll(out);
        int at = (int) Math.max(0, index);
        v[at] = old[at];
        plantedAt = at;
        ref.writeDouble(out, 0, v, 0, v.length);
    }

    @Override
    public void poolForward(PoolProblem p, Buffer x, Buffer y) {
        notePoison(y);
        if (defect == Defect.MAX_POOL_LAST_TIE && p.mode() == PoolMode.MAX) {
            double[] xs = readAll(x);
            double[] ys = new double[(int) y.elements()];
            forEachWindow(p, (plane, oh, ow, o) -> {
                int a = lastArgmax(p, xs, plane, oh, ow);
                ys[o] = a < 0 ? Double.NEGATIVE_INFINITY : xs[a];
            });
            ref.writeDouble(y, 0, ys, 0, ys.length);
            return;
        }
        if (defect == Defect.AVG_POOL_WINDOW_OFF_BY_ONE && p.mode() == PoolMode.AVG) {
            double[] xs = readAll(x);
            double[] ys = new double[(int) y.elements()];
            forEachWindow(p, (plane, oh, ow, o) -> {
                // The reference's window (PoolProblem's rule), then the planted slip: the clip at the
                // image's bottom edge is one row short, as a kernel testing ih < height - 1 would be.
                int h0 = oh * p.strideH() - p.padH();
                int w0 = ow * p.strideW() - p.padW();
                int h1 = Math.min(h0 + p.kernelH(), p.height() + p.padH());
                int w1 = Math.min(w0 + p.kernelW(), p.width() + p.padW());
                int poolSize = (h1 - h0) * (w1 - w0);
                h0 = Math.max(h0, 0);
                w0 = Math.max(w0, 0);
                h1 = Math.min(h1, p.height());
                w1 = Math.min(w1, p.width());
                int divisor = p.countIncludePad() ? poolSize : (h1 - h0) * (w1 - w0);
                h1 = Math.min(h1, p.height() - 1);
                double sum = 0;
                for (int ih = h0; ih < h1; ih++) {
                    for (int iw = w0; iw < w1; iw++) {
                        sum += xs[plane + ih * p.width() + iw];
                    }
                }
                ys[o] = sum / divisor;
            });
            ref.writeDouble(y, 0, ys, 0, ys.length);
            return;
        }
        ref.poolForward(p, x, y);
    }

    @Override
    public void poolBackward(PoolProblem p, Buffer x, Buffer dy, Buffer dx) {
        notePoison(dx);
        if (defect == Defect.MAX_POOL_LAST_TIE && p.mode() == PoolMode.MAX) {
            double[] xs = readAll(x);
            double[] dys = readAll(dy);
            double[] dxs = new double[(int) dx.elements()];
            forEachWindow(p, (plane, oh, ow, o) -> {
                int a = lastArgmax(p, xs, plane, oh, ow);
                if (a >= 0) {
                    dxs[a] += dys[o];
                }
            });
            ref.writeDouble(dx, 0, dxs, 0, dxs.length);
            return;
        }
        ref.poolBackward(p, x, dy, dx);
    }

    /** The reference's argmax with the tie-break planted wrong: a later equal value wins. */
    private static int lastArgmax(PoolProblem p, double[] x, int plane, int oh, int ow) {
        int best = -1;
        double max = Double.NEGATIVE_INFINITY;
        for (int kh = 0; kh < p.kernelH(); kh++) {
            int ih = oh * p.strideH() - p.padH() + kh * p.dilationH();
            for (int kw = 0; kw < p.kernelW(); kw++) {
                int iw = ow * p.strideW() - p.padW() + kw * p.dilationW();
                if (ih < 0 || ih >= p.height() || iw < 0 || iw >= p.width()) {
                    continue;
                }
                int i = plane + ih * p.width() + iw;
                if (best < 0 || x[i] >= max || Double.isNaN(x[i])) {
                    best = i;
                    max = x[i];
                }
            }
        }
        return best;
    }

    private interface WindowVisitor {
        void visit(int plane, int oh, int ow, int outIndex);
    }

    private static void forEachWindow(PoolProblem p, WindowVisitor v) {
        int planes = p.batch() * p.channels();
        for (int pl = 0; pl < planes; pl++) {
            for (int oh = 0; oh < p.outHeight(); oh++) {
                for (int ow = 0; ow < p.outWidth(); ow++) {
                    v.visit(pl * p.height() * p.width(), oh, ow, (pl * p.outHeight() + oh) * p.outWidth() + ow);
                }
            }
        }
    }

    private double[] readAll(Buffer b) {
        double[] v = new double[(int) b.elements()];
        ref.readDouble(b, 0, v, 0, v.length);
        return v;
    }

    private void notePoison(Buffer out) {
        for (double v : readAll(out)) {
            if (!Double.isNaN(v)) {
                outputsArrivedPoisoned = false;
                return;
            }
        }
    }

    // ---------------------------------------------------------------- delegated unchanged

    /**
     * Fresh buffers hold zeros here, not the reference's NaN, as fresh device memory may: an element
     * a defect leaves unwritten then reads back as NaN only because the suite poisoned the output.
     */
    @Override
    public Buffer allocate(long elements) {
        Buffer b = ref.allocate(elements);
        ref.fill(b, elements, 0.0);
        return b;
    }

    @Override
    public void free(Buffer buffer) {
        ref.free(buffer);
    }

    @Override
    public void write(Buffer dst, long dstOffset, float[] src, int srcOffset, int length) {
        ref.write(dst, dstOffset, src, srcOffset, length);
    }

    @Override
    public void read(Buffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        ref.read(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void readDouble(Buffer src, long srcOffset, double[] dst, int dstOffset, int length) {
        ref.readDouble(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void writeDouble(Buffer dst, long dstOffset, double[] src, int srcOffset, int length) {
        ref.writeDouble(dst, dstOffset, src, srcOffset, length);
    }

    @Override
    public void fill(Buffer dst, long elements, double value) {
        ref.fill(dst, elements, value);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long elements) {
        ref.copy(src, dst, elements);
    }

    @Override
    public void synchronize() {
        ref.synchronize();
    }

    @Override
    public List<ConvAlgorithm> algorithms() {
        return ref.algorithms();
    }

    @Override
    public Optional<String> whyNot(DirectConv conv, ConvDirection direction, ConvAlgorithm algorithm) {
        return ref.whyNot(conv, direction, algorithm);
    }

    @Override
    public io.jdnn.spi.ConvSelector convSelector() {
        return ref.convSelector();
    }

    @Override
    public void convBackwardFilter(DirectConv conv, ConvAlgorithm algorithm, Buffer x, Buffer dy, Buffer dw) {
        ref.convBackwardFilter(conv, algorithm, x, dy, dw);
    }

    @Override
    public void channelSum(int n, int c, long inner, Buffer x, Buffer out) {
        ref.channelSum(n, c, inner, x, out);
    }

    @Override
    public void batchNormTrain(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                               Buffer runningVar, Buffer y, Buffer saveMean, Buffer saveInvStd) {
        ref.batchNormTrain(p, x, gamma, beta, runningMean, runningVar, y, saveMean, saveInvStd);
    }

    @Override
    public void batchNormInference(BatchNormProblem p, Buffer x, Buffer gamma, Buffer beta, Buffer runningMean,
                                   Buffer runningVar, Buffer y) {
        ref.batchNormInference(p, x, gamma, beta, runningMean, runningVar, y);
    }

    @Override
    public void batchNormBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dgamma, Buffer dbeta) {
        ref.batchNormBackward(p, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
    }

    @Override
    public void batchNormInferenceBackward(BatchNormProblem p, Buffer x, Buffer dy, Buffer gamma, Buffer runningMean,
                                           Buffer runningVar, Buffer dx, Buffer dgamma, Buffer dbeta) {
        ref.batchNormInferenceBackward(p, x, dy, gamma, runningMean, runningVar, dx, dgamma, dbeta);
    }

    @Override
    public void activationForward(Activation a, long n, Buffer x, Buffer y) {
        ref.activationForward(a, n, x, y);
    }

    @Override
    public void activationBackward(Activation a, long n, Buffer x, Buffer dy, Buffer dx) {
        ref.activationBackward(a, n, x, dy, dx);
    }

    @Override
    public void axpby(long n, double alpha, Buffer a, double beta, Buffer b, Buffer out) {
        ref.axpby(n, alpha, a, beta, b, out);
    }

    @Override
    public void dropoutForward(long n, double p, long seed, long offset, Buffer x, Buffer y) {
        ref.dropoutForward(n, p, seed, offset, x, y);
    }

    @Override
    public void dropoutBackward(long n, double p, long seed, long offset, Buffer dy, Buffer dx) {
        ref.dropoutBackward(n, p, seed, offset, dy, dx);
    }

    @Override
    public void randomUniform(long n, double lo, double hi, long seed, long offset, Buffer out) {
        ref.randomUniform(n, lo, hi, seed, offset, out);
    }

    @Override
    public void randomNormal(long n, double mean, double std, long seed, long offset, Buffer out) {
        ref.randomNormal(n, mean, std, seed, offset, out);
    }

    @Override
    public void softmaxForward(int rows, int cols, Buffer x, Buffer y) {
        ref.softmaxForward(rows, cols, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        ref.softmaxBackward(rows, cols, y, dy, dx);
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, int[] labels, double labelSmoothing, Buffer logits, Buffer loss,
                                    Buffer dlogits) {
        ref.softmaxCrossEntropy(rows, cols, labels, labelSmoothing, logits, loss, dlogits);
    }

    @Override
    public void linearForward(LinearProblem p, Buffer x, Buffer w, Buffer bias, Buffer y) {
        ref.linearForward(p, x, w, bias, y);
    }

    @Override
    public void linearBackwardData(LinearProblem p, Buffer dy, Buffer w, Buffer dx) {
        ref.linearBackwardData(p, dy, w, dx);
    }

    @Override
    public void linearBackwardWeight(LinearProblem p, Buffer x, Buffer dy, Buffer dw) {
        ref.linearBackwardWeight(p, x, dy, dw);
    }

    // ---------------------------------------------------------------- activations: relu6, hardswish, hardsigmoid, silu, mish, gelu, softplus, prelu

    @Override
    public void preluForward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer y) {
        ref.preluForward(outer, channels, inner, x, weight, y);
    }

    @Override
    public void preluBackward(int outer, int channels, long inner, Buffer x, Buffer weight, Buffer dy, Buffer dx,
                              Buffer dweight) {
        ref.preluBackward(outer, channels, inner, x, weight, dy, dx, dweight);
    }

    // ---------------------------------------------------------------- normalization: local response, group, instance and layer norm

    @Override
    public void lrnForward(LrnProblem p, Buffer x, Buffer y) {
        ref.lrnForward(p, x, y);
    }

    @Override
    public void lrnBackward(LrnProblem p, Buffer x, Buffer dy, Buffer dx) {
        ref.lrnBackward(p, x, dy, dx);
    }

    @Override
    public void groupNormForward(GroupNormProblem p, Buffer x, Buffer weight, Buffer bias, Buffer y, Buffer saveMean,
                                 Buffer saveInvStd) {
        ref.groupNormForward(p, x, weight, bias, y, saveMean, saveInvStd);
    }

    @Override
    public void groupNormBackward(GroupNormProblem p, Buffer x, Buffer dy, Buffer weight, Buffer saveMean,
                                  Buffer saveInvStd, Buffer dx, Buffer dweight, Buffer dbias) {
        ref.groupNormBackward(p, x, dy, weight, saveMean, saveInvStd, dx, dweight, dbias);
    }

    // ---------------------------------------------------------------- losses: log-softmax, nll, mse, l1, smooth l1, binary cross-entropy with logits

    @Override
    public void logSoftmaxForward(int rows, int cols, Buffer x, Buffer y) {
        ref.logSoftmaxForward(rows, cols, x, y);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, Buffer y, Buffer dy, Buffer dx) {
        ref.logSoftmaxBackward(rows, cols, y, dy, dx);
    }

    @Override
    public void nllLoss(int rows, int cols, int[] labels, Buffer x, Buffer loss, Buffer dx) {
        ref.nllLoss(rows, cols, labels, x, loss, dx);
    }

    @Override
    public void loss(Loss l, long n, Buffer x, Buffer target, Buffer loss, Buffer dx) {
        ref.loss(l, n, x, target, loss, dx);
    }

    // ---------------------------------------------------------------- tensor ops: cat and split, permute, broadcasting arithmetic

    @Override
    public void cat(CatProblem p, Buffer[] xs, Buffer y) {
        ref.cat(p, xs, y);
    }

    @Override
    public void split(CatProblem p, Buffer x, Buffer[] outs) {
        ref.split(p, x, outs);
    }

    @Override
    public void permute(PermuteProblem p, Buffer x, Buffer y) {
        ref.permute(p, x, y);
    }

    @Override
    public void binaryForward(BroadcastProblem p, Buffer a, Buffer b, Buffer y) {
        ref.binaryForward(p, a, b, y);
    }

    @Override
    public void binaryBackward(BroadcastProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        ref.binaryBackward(p, a, b, dy, da, db);
    }

    @Override
    public void optimizerStep(Optimizer rule, long step, long n, Buffer param, Buffer grad, Buffer[] state) {
        ref.optimizerStep(rule, step, n, param, grad, state);
    }

    @Override
    public void close() {
        ref.close();
    }

    // ---------------------------------------------------------------- resampling and padding: interpolate, pixel shuffle, pad

    @Override
    public void interpolate(InterpolateProblem p, Buffer x, Buffer y) {
        ref.interpolate(p, x, y);
    }

    @Override
    public void interpolateBackward(InterpolateProblem p, Buffer dy, Buffer dx) {
        ref.interpolateBackward(p, dy, dx);
    }

    @Override
    public void pixelShuffle(PixelShuffleProblem p, Buffer x, Buffer y) {
        ref.pixelShuffle(p, x, y);
    }

    @Override
    public void pad(PadProblem p, Buffer x, Buffer y) {
        ref.pad(p, x, y);
    }

    @Override
    public void padBackward(PadProblem p, Buffer dy, Buffer dx) {
        ref.padBackward(p, dy, dx);
    }

    // ---------------------------------------------------------------- max pooling with indices, max unpooling

    @Override
    public void maxPoolWithIndices(PoolProblem p, Buffer x, Buffer y, Buffer indices) {
        ref.maxPoolWithIndices(p, x, y, indices);
    }

    @Override
    public void maxUnpool(UnpoolProblem p, Buffer x, Buffer indices, Buffer y) {
        ref.maxUnpool(p, x, indices, y);
    }

    @Override
    public void maxUnpoolBackward(UnpoolProblem p, Buffer indices, Buffer dy, Buffer dx) {
        ref.maxUnpoolBackward(p, indices, dy, dx);
    }

    // ---------------------------------------------------------------- batched matrix product: matmul

    @Override
    public void matmul(MatMulProblem p, Buffer a, Buffer b, Buffer y) {
        ref.matmul(p, a, b, y);
    }

    @Override
    public void matmulBackward(MatMulProblem p, Buffer a, Buffer b, Buffer dy, Buffer da, Buffer db) {
        ref.matmulBackward(p, a, b, dy, da, db);
    }
}
