package io.jdnn.kernels;

import io.jdnn.optim.AdaDelta;
import io.jdnn.optim.AdaGrad;
import io.jdnn.optim.Adam;
import io.jdnn.optim.AdamW;
import io.jdnn.optim.Optimizer;
import io.jdnn.optim.RmsProp;
import io.jdnn.optim.Sgd;
import io.jdnn.spi.Buffer;

/**
 * The optimizer steps of a {@link KernelDevice} ({@code optimizer.cl}): one element-wise launch
 * per step of each rule, its scalar factors computed on the host in float64 and rounded to float once.
 */
final class Optimizers {
    private Optimizers() {
    }

    static void step(KernelDevice device, Optimizer rule, long step, long n, Buffer param, Buffer grad,
                     Buffer[] state) {
        String op = "optimizerStep";
        String problem = rule + " step=" + step + " n=" + n;
        Buffer p = param;
        Buffer g = grad;
        if (rule instanceof Sgd s) {
            boolean momentum = s.momentum() != 0;
            device.launch(op, problem, "optimizer.cl", "opt_sgd")
                    .arg("n", n).arg("lr", (float) s.lr()).arg("momentum", (float) s.momentum())
                    .arg("damp_keep", (float) (1.0 - s.dampening())).arg("weight_decay", (float) s.weightDecay())
                    .arg("has_momentum", momentum).arg("nesterov", s.nesterov()).arg("first", step == 1)
                    .arg("p", p).arg("g", g).arg("buf", momentum ? state[0] : device.placeholder())
                    .elements(n);
        } else if (rule instanceof AdaGrad a) {
            double clr = a.lr() / (1.0 + (step - 1) * a.lrDecay());
            device.launch(op, problem, "optimizer.cl", "opt_adagrad")
                    .arg("n", n).arg("clr", (float) clr).arg("weight_decay", (float) a.weightDecay())
                    .arg("eps", (float) a.eps())
                    .arg("p", p).arg("g", g).arg("sum", state[0])
                    .elements(n);
        } else if (rule instanceof RmsProp r) {
            boolean momentum = r.momentum() > 0;
            int slot = 1;
            Buffer buf = momentum ? state[slot++] : device.placeholder();
            Buffer gradAvg = r.centered() ? state[slot] : device.placeholder();
            device.launch(op, problem, "optimizer.cl", "opt_rmsprop")
                    .arg("n", n).arg("lr", (float) r.lr()).arg("alpha", (float) r.alpha())
                    .arg("alpha_keep", (float) (1.0 - r.alpha())).arg("eps", (float) r.eps())
                    .arg("weight_decay", (float) r.weightDecay()).arg("momentum", (float) r.momentum())
                    .arg("has_momentum", momentum).arg("centered", r.centered())
                    .arg("p", p).arg("g", g).arg("square_avg", state[0]).arg("momentum_buffer", buf)
                    .arg("grad_avg", gradAvg)
                    .elements(n);
        } else if (rule instanceof Adam a) {
            adam(device, op, problem, step, n, a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(), 1.0,
                    a.amsgrad(), p, g, state);
        } else if (rule instanceof AdamW a) {
            adam(device, op, problem, step, n, a.lr(), a.beta1(), a.beta2(), a.eps(), 0.0,
                    1.0 - a.lr() * a.weightDecay(), a.amsgrad(), p, g, state);
        } else if (rule instanceof AdaDelta d) {
            device.launch(op, problem, "optimizer.cl", "opt_adadelta")
                    .arg("n", n).arg("lr", (float) d.lr()).arg("rho", (float) d.rho())
                    .arg("rho_keep", (float) (1.0 - d.rho())).arg("eps", (float) d.eps())
                    .arg("weight_decay", (float) d.weightDecay())
                    .arg("p", p).arg("g", g).arg("square_avg", state[0]).arg("acc_delta", state[1])
                    .elements(n);
        } else {
            throw new IllegalArgumentException("rule: expected one of Sgd, AdaGrad, RmsProp, Adam, AdamW, AdaDelta, got "
                    + rule);
        }
    }

    /** Adam and AdamW: bias corrections for step t in float64, each factor rounded to float once. */
    private static void adam(KernelDevice device, String op, String problem, long step, long n, double lr,
                             double beta1, double beta2, double eps, double l2, double decay, boolean amsgrad,
                             Buffer p, Buffer g, Buffer[] state) {
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2 = 1.0 - Math.pow(beta2, step);
        device.launch(op, problem, "optimizer.cl", "opt_adam")
                .arg("n", n).arg("step_size", (float) (lr / bc1)).arg("beta1", (float) beta1)
                .arg("beta1_keep", (float) (1.0 - beta1)).arg("beta2", (float) beta2)
                .arg("beta2_keep", (float) (1.0 - beta2)).arg("eps", (float) eps)
                .arg("sqrt_bc2", (float) Math.sqrt(bc2)).arg("l2", (float) l2).arg("decay", (float) decay)
                .arg("amsgrad", amsgrad)
                .arg("p", p).arg("g", g).arg("exp_avg", state[0]).arg("exp_avg_sq", state[1])
                .arg("max_exp_avg_sq", amsgrad ? state[2] : device.placeholder())
                .elements(n);
    }
}
