package io.jdnn.cpu.fast;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;

/**
 * Optimizer steps as single fused passes: each element's parameter, gradient and state are read
 * once and written once. Hyper-parameters and step-dependent factors (bias corrections, decayed
 * learning rates) are computed in float64 and rounded to float32 once per step.
 */
final class Optimizers {
    private Optimizers() {
    }

    static void step(CpuDevice dev, Optimizer rule, long t, long n, float[] p, float[] g, float[][] s) {
        if (rule instanceof Sgd o) {
            sgd(dev, o, t, n, p, g, s);
        } else if (rule instanceof AdaGrad o) {
            adagrad(dev, o, t, n, p, g, s[0]);
        } else if (rule instanceof RmsProp o) {
            rmsprop(dev, o, n, p, g, s);
        } else if (rule instanceof Adam o) {
            adam(dev, o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), 0, o.amsgrad(), t, n, p, g, s);
        } else if (rule instanceof AdamW o) {
            adam(dev, o.lr(), o.beta1(), o.beta2(), o.eps(), 0, o.weightDecay(), o.amsgrad(), t, n, p, g, s);
        } else if (rule instanceof AdaDelta o) {
            adadelta(dev, o, n, p, g, s[0], s[1]);
        } else {
            throw new IllegalArgumentException("rule: expected one of sgd, adagrad, rmsprop, adam, adamw, adadelta, got " + rule);
        }
    }

    private static void sgd(CpuDevice dev, Sgd o, long t, long n, float[] p, float[] g, float[][] s) {
        float lr = (float) o.lr(), wd = (float) o.weightDecay(), mom = (float) o.momentum();
        float damp = (float) (1 - o.dampening());
        boolean nesterov = o.nesterov();
        if (o.momentum() == 0) {
            Elementwise.chunks(dev, n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float gi = Math.fma(wd, p[i], g[i]);
                    p[i] = p[i] - lr * gi;
                }
            });
            return;
        }
        float[] buf = s[0];
        boolean first = t == 1;
        Elementwise.chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = Math.fma(wd, p[i], g[i]);
                float b = first ? gi : Math.fma(mom, buf[i], damp * gi);
                buf[i] = b;
                float d = nesterov ? Math.fma(mom, b, gi) : b;
                p[i] = p[i] - lr * d;
            }
        });
    }

    private static void adagrad(CpuDevice dev, AdaGrad o, long t, long n, float[] p, float[] g, float[] sum) {
        float clr = (float) (o.lr() / (1 + (t - 1) * o.lrDecay()));
        float wd = (float) o.weightDecay(), eps = (float) o.eps();
        Elementwise.chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = Math.fma(wd, p[i], g[i]);
                float sq = Math.fma(gi, gi, sum[i]);
                sum[i] = sq;
                p[i] = p[i] - clr * gi / ((float) Math.sqrt(sq) + eps);
            }
        });
    }

    private static void rmsprop(CpuDevice dev, RmsProp o, long n, float[] p, float[] g, float[][] s) {
        float lr = (float) o.lr(), alpha = (float) o.alpha(), oneMinus = (float) (1 - o.alpha());
        float eps = (float) o.eps(), wd = (float) o.weightDecay(), mom = (float) o.momentum();
        float[] sq = s[0];
        float[] buf = o.momentum() > 0 ? s[1] : null;
        float[] ga = o.centered() ? s[o.momentum() > 0 ? 2 : 1] : null;
        Elementwise.chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = Math.fma(wd, p[i], g[i]);
                float v = Math.fma(alpha, sq[i], oneMinus * gi * gi);
                sq[i] = v;
                float avg;
                if (ga != null) {
                    float m = Math.fma(alpha, ga[i], oneMinus * gi);
                    ga[i] = m;
                    avg = (float) Math.sqrt(Math.max(v - m * m, 0f)) + eps; // rounding can take a zero variance below 0
                } else {
                    avg = (float) Math.sqrt(v) + eps;
                }
                if (buf != null) {
                    float b = Math.fma(mom, buf[i], gi / avg);
                    buf[i] = b;
                    p[i] = p[i] - lr * b;
                } else {
                    p[i] = p[i] - lr * gi / avg;
                }
            }
        });
    }

    private static void adam(CpuDevice dev, double lr, double beta1, double beta2, double eps, double l2, double decoupled,
                             boolean amsgrad, long t, long n, float[] p, float[] g, float[][] s) {
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2);
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float bc2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float fe = (float) eps, wd = (float) l2, decay = (float) (1 - lr * decoupled);
        boolean hasDecay = decoupled != 0;
        float[] m = s[0], v = s[1];
        if (amsgrad) {
            float[] vmax = s[2];
            Elementwise.chunks(dev, n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    float pi = hasDecay ? p[i] * decay : p[i];
                    float gi = Math.fma(wd, pi, g[i]);
                    float mi = Math.fma(b1, m[i], c1 * gi);
                    float vi = Math.fma(b2, v[i], c2 * gi * gi);
                    float vh = Math.max(vmax[i], vi);
                    m[i] = mi;
                    v[i] = vi;
                    vmax[i] = vh;
                    p[i] = pi - stepSize * mi / ((float) Math.sqrt(vh) / bc2 + fe);
                }
            });
            return;
        }
        Elementwise.chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float pi = hasDecay ? p[i] * decay : p[i];
                float gi = Math.fma(wd, pi, g[i]);
                float mi = Math.fma(b1, m[i], c1 * gi);
                float vi = Math.fma(b2, v[i], c2 * gi * gi);
                m[i] = mi;
                v[i] = vi;
                p[i] = pi - stepSize * mi / ((float) Math.sqrt(vi) / bc2 + fe);
            }
        });
    }

    private static void adadelta(CpuDevice dev, AdaDelta o, long n, float[] p, float[] g, float[] sq, float[] acc) {
        float lr = (float) o.lr(), rho = (float) o.rho(), oneMinus = (float) (1 - o.rho());
        float eps = (float) o.eps(), wd = (float) o.weightDecay();
        Elementwise.chunks(dev, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = Math.fma(wd, p[i], g[i]);
                float v = Math.fma(rho, sq[i], oneMinus * gi * gi);
                sq[i] = v;
                float delta = (float) Math.sqrt(acc[i] + eps) / (float) Math.sqrt(v + eps) * gi;
                acc[i] = Math.fma(rho, acc[i], oneMinus * delta * delta);
                p[i] = p[i] - lr * delta;
            }
        });
    }
}
