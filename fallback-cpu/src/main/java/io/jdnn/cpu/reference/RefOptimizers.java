package io.jdnn.cpu.reference;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;

/**
 * One step t (from 1) of each optimizer over n elements, in place on the parameter p and the state
 * arrays (in the order of {@link Optimizer#stateNames()}), exactly the update each record's comment
 * gives (PyTorch's torch.optim), with the hyper-parameters unrounded.
 */
final class RefOptimizers {
    private RefOptimizers() {
    }

    static void step(Optimizer rule, long t, int n, double[] p, double[] g, double[][] state) {
        if (rule instanceof Sgd o) {
            sgd(o, t, n, p, g, o.momentum() != 0 ? state[0] : null);
        } else if (rule instanceof AdaGrad o) {
            adagrad(o, t, n, p, g, state[0]);
        } else if (rule instanceof RmsProp o) {
            double[] buf = o.momentum() > 0 ? state[1] : null;
            double[] gradAvg = o.centered() ? state[o.momentum() > 0 ? 2 : 1] : null;
            rmsprop(o, n, p, g, state[0], buf, gradAvg);
        } else if (rule instanceof Adam o) {
            adam(o.lr(), o.beta1(), o.beta2(), o.eps(), o.weightDecay(), o.amsgrad(), t, n, p, g, state);
        } else if (rule instanceof AdamW o) {
            // decoupled weight decay: p = p * (1 - lr * weightDecay), then Adam without weight decay
            for (int i = 0; i < n; i++) {
                p[i] *= 1 - o.lr() * o.weightDecay();
            }
            adam(o.lr(), o.beta1(), o.beta2(), o.eps(), 0, o.amsgrad(), t, n, p, g, state);
        } else if (rule instanceof AdaDelta o) {
            adadelta(o, n, p, g, state[0], state[1]);
        } else {
            throw new IllegalArgumentException("rule: expected one of Sgd, AdaGrad, RmsProp, Adam, AdamW, AdaDelta, got "
                    + rule);
        }
    }

    // p, g, buf (n): d = g + wd p; buf = (t == 1) ? d : momentum buf + (1 - dampening) d;
    // d = nesterov ? d + momentum buf : buf (when momentum != 0); p = p - lr d
    static void sgd(Sgd o, long t, int n, double[] p, double[] g, double[] buf) {
        for (int i = 0; i < n; i++) {
            double d = g[i] + o.weightDecay() * p[i];
            if (o.momentum() != 0) {
                buf[i] = t == 1 ? d : o.momentum() * buf[i] + (1 - o.dampening()) * d;
                d = o.nesterov() ? d + o.momentum() * buf[i] : buf[i];
            }
            p[i] -= o.lr() * d;
        }
    }

    // p, g, sum (n): d = g + wd p; clr = lr / (1 + (t-1) lrDecay); sum += d d; p = p - clr d / (sqrt(sum) + eps)
    static void adagrad(AdaGrad o, long t, int n, double[] p, double[] g, double[] sum) {
        double clr = o.lr() / (1 + (t - 1) * o.lrDecay());
        for (int i = 0; i < n; i++) {
            double d = g[i] + o.weightDecay() * p[i];
            sum[i] += d * d;
            p[i] -= clr * d / (Math.sqrt(sum[i]) + o.eps());
        }
    }

    // p, g, sq, buf, ga (n): d = g + wd p; sq = alpha sq + (1-alpha) d d;
    // avg = sqrt(max(sq - ga ga, 0)) + eps with ga = alpha ga + (1-alpha) d if centered (the variance, which
    // rounding can take below 0 where it is 0: PyTorch would return NaN there), else sqrt(sq) + eps;
    // p = p - lr buf with buf = momentum buf + d / avg if momentum > 0, else p = p - lr d / avg
    static void rmsprop(RmsProp o, int n, double[] p, double[] g, double[] sq, double[] buf, double[] gradAvg) {
        double a = o.alpha();
        for (int i = 0; i < n; i++) {
            double d = g[i] + o.weightDecay() * p[i];
            sq[i] = a * sq[i] + (1 - a) * d * d;
            double avg;
            if (gradAvg != null) {
                gradAvg[i] = a * gradAvg[i] + (1 - a) * d;
                avg = Math.sqrt(Math.max(sq[i] - gradAvg[i] * gradAvg[i], 0)) + o.eps(); // a variance: >= 0
            } else {
                avg = Math.sqrt(sq[i]) + o.eps();
            }
            if (buf != null) {
                buf[i] = o.momentum() * buf[i] + d / avg;
                p[i] -= o.lr() * buf[i];
            } else {
                p[i] -= o.lr() * d / avg;
            }
        }
    }

    // p, g, m, v, vmax (n): d = g + wd p; m = b1 m + (1-b1) d; v = b2 v + (1-b2) d d;
    // vhat = amsgrad ? (vmax = max(vmax, v)) : v; p = p - lr / (1 - b1^t) m / (sqrt(vhat) / sqrt(1 - b2^t) + eps)
    static void adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad, long t,
                     int n, double[] p, double[] g, double[][] state) {
        double[] m = state[0];
        double[] v = state[1];
        double[] vmax = amsgrad ? state[2] : null;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < n; i++) {
            double d = g[i] + weightDecay * p[i];
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = beta2 * v[i] + (1 - beta2) * d * d;
            double vhat = v[i];
            if (vmax != null) {
                vmax[i] = Math.max(vmax[i], v[i]);
                vhat = vmax[i];
            }
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(vhat) / bc2Sqrt + eps);
        }
    }

    // p, g, sq, acc (n): d = g + wd p; sq = rho sq + (1-rho) d d; delta = sqrt(acc + eps) / sqrt(sq + eps) d;
    // acc = rho acc + (1-rho) delta delta; p = p - lr delta
    static void adadelta(AdaDelta o, int n, double[] p, double[] g, double[] sq, double[] acc) {
        double rho = o.rho();
        for (int i = 0; i < n; i++) {
            double d = g[i] + o.weightDecay() * p[i];
            sq[i] = rho * sq[i] + (1 - rho) * d * d;
            double delta = Math.sqrt(acc[i] + o.eps()) / Math.sqrt(sq[i] + o.eps()) * d;
            acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
            p[i] -= o.lr() * delta;
        }
    }
}
