/*
 * optimizer.cl: one step of each torch.optim update rule, element-wise and in place on the
 * parameter p and the rule's state; the gradient g is read only. The rules and their state are
 * documented on the io.jdnn.optim records; hyper-parameters arrive rounded to float once, and
 * step-dependent factors (bias corrections, AdaGrad's decayed rate) are computed by the host in
 * float64 for the step number.
 *
 * Launch geometry, every kernel here: 1-D, any local size and number of groups, grid-stride over
 * the n elements.
 *
 * State buffers a configuration does not use (RMSprop without momentum or not centered, AMSGrad
 * off) are bound to a placeholder and never touched.
 */

/*
 * SGD: g' = g + weight_decay * p (when weight_decay != 0); with momentum:
 * buf = first ? g' : momentum * buf + (1 - dampening) * g', g' = nesterov ? g' + momentum * buf : buf;
 * p -= lr * g'. damp_keep is 1 - dampening.
 */
KERNEL void opt_sgd(i64 n, float lr, float momentum, float damp_keep, float weight_decay, int has_momentum,
                    int nesterov, int first, GLOBAL float *p, GLOBAL const float *g, GLOBAL float *buf) {
    GRID_STRIDE_LOOP(i, n) {
        float pi = p[i];
        float gi = g[i];
        if (weight_decay != 0.0f) {
            gi += weight_decay * pi;
        }
        if (has_momentum) {
            float b = first ? gi : momentum * buf[i] + damp_keep * gi;
            buf[i] = b;
            gi = nesterov ? gi + momentum * b : b;
        }
        p[i] = pi - lr * gi;
    }
}

/* AdaGrad: g' = g + weight_decay * p; sum += g'^2; p -= clr * g' / (sqrt(sum) + eps). */
KERNEL void opt_adagrad(i64 n, float clr, float weight_decay, float eps, GLOBAL float *p, GLOBAL const float *g,
                        GLOBAL float *sum) {
    GRID_STRIDE_LOOP(i, n) {
        float pi = p[i];
        float gi = g[i];
        if (weight_decay != 0.0f) {
            gi += weight_decay * pi;
        }
        float s = sum[i] + gi * gi;
        sum[i] = s;
        p[i] = pi - clr * gi / (SQRTF(s) + eps);
    }
}

/*
 * RMSprop: g' = g + weight_decay * p; sq = alpha * sq + (1 - alpha) * g'^2;
 * centered: ga = alpha * ga + (1 - alpha) * g', avg = sqrt(max(sq - ga^2, 0)) + eps (the variance, which
 * rounding can take below 0 where it is 0: PyTorch's NaN there becomes lr * g / eps); else avg = sqrt(sq) + eps;
 * momentum: buf = momentum * buf + g' / avg, p -= lr * buf; else p -= lr * g' / avg.
 */
KERNEL void opt_rmsprop(i64 n, float lr, float alpha, float alpha_keep, float eps, float weight_decay, float momentum,
                        int has_momentum, int centered, GLOBAL float *p, GLOBAL const float *g, GLOBAL float *square_avg,
                        GLOBAL float *momentum_buffer, GLOBAL float *grad_avg) {
    GRID_STRIDE_LOOP(i, n) {
        float pi = p[i];
        float gi = g[i];
        if (weight_decay != 0.0f) {
            gi += weight_decay * pi;
        }
        float sq = alpha * square_avg[i] + alpha_keep * gi * gi;
        square_avg[i] = sq;
        float avg;
        if (centered) {
            float ga = alpha * grad_avg[i] + alpha_keep * gi;
            grad_avg[i] = ga;
            avg = SQRTF(FMAXF(sq - ga * ga, 0.0f)) + eps; /* rounding can take a zero variance below 0 */
        } else {
            avg = SQRTF(sq) + eps;
        }
        if (has_momentum) {
            float b = momentum * momentum_buffer[i] + gi / avg;
            momentum_buffer[i] = b;
            p[i] = pi - lr * b;
        } else {
            p[i] = pi - lr * gi / avg;
        }
    }
}

/*
 * Adam and AdamW: p *= decay (AdamW's decoupled decay, decay = 1 - lr * weight_decay; 1 for Adam);
 * g' = g + l2 * p (Adam's weight decay; 0 for AdamW); m = beta1 * m + (1 - beta1) * g';
 * v = beta2 * v + (1 - beta2) * g'^2; vhat = amsgrad ? (vmax = max(vmax, v)) : v;
 * p -= step_size * m / (sqrt(vhat) / sqrt_bc2 + eps), step_size = lr / (1 - beta1^t),
 * sqrt_bc2 = sqrt(1 - beta2^t).
 */
KERNEL void opt_adam(i64 n, float step_size, float beta1, float beta1_keep, float beta2, float beta2_keep, float eps,
                     float sqrt_bc2, float l2, float decay, int amsgrad, GLOBAL float *p, GLOBAL const float *g,
                     GLOBAL float *exp_avg, GLOBAL float *exp_avg_sq, GLOBAL float *max_exp_avg_sq) {
    GRID_STRIDE_LOOP(i, n) {
        float pi = p[i] * decay;
        float gi = g[i];
        if (l2 != 0.0f) {
            gi += l2 * pi;
        }
        float m = beta1 * exp_avg[i] + beta1_keep * gi;
        float v = beta2 * exp_avg_sq[i] + beta2_keep * gi * gi;
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        float vhat = v;
        if (amsgrad) {
            vhat = FMAXF(max_exp_avg_sq[i], v);
            max_exp_avg_sq[i] = vhat;
        }
        p[i] = pi - step_size * m / (SQRTF(vhat) / sqrt_bc2 + eps);
    }
}

/*
 * AdaDelta: g' = g + weight_decay * p; sq = rho * sq + (1 - rho) * g'^2;
 * delta = sqrt(acc + eps) / sqrt(sq + eps) * g'; acc = rho * acc + (1 - rho) * delta^2; p -= lr * delta.
 */
KERNEL void opt_adadelta(i64 n, float lr, float rho, float rho_keep, float eps, float weight_decay, GLOBAL float *p,
                         GLOBAL const float *g, GLOBAL float *square_avg, GLOBAL float *acc_delta) {
    GRID_STRIDE_LOOP(i, n) {
        float pi = p[i];
        float gi = g[i];
        if (weight_decay != 0.0f) {
            gi += weight_decay * pi;
        }
        float sq = rho * square_avg[i] + rho_keep * gi * gi;
        square_avg[i] = sq;
        float delta = SQRTF(acc_delta[i] + eps) / SQRTF(sq + eps) * gi;
        acc_delta[i] = rho * acc_delta[i] + rho_keep * delta * delta;
        p[i] = pi - lr * delta;
    }
}
