package io.jdnn.cpu.reference;

import io.jdnn.LinearProblem;

/** A fully connected layer, PyTorch's nn.Linear: x (batch, in), w (out, in), bias (out), y (batch, out). */
final class RefLinear {
    private RefLinear() {
    }

    // y (b,o) = sum_i x (b,i) * w (o,i) + bias (o); bias may be null
    static void forward(LinearProblem p, double[] x, double[] w, double[] bias, double[] y) {
        int in = p.inFeatures();
        int out = p.outFeatures();
        for (int b = 0; b < p.batch(); b++) {
            for (int o = 0; o < out; o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    sum += x[b * in + i] * w[o * in + i];
                }
                y[b * out + o] = sum;
            }
        }
    }

    // dx (b,i) = sum_o dy (b,o) * w (o,i)
    static void backwardData(LinearProblem p, double[] dy, double[] w, double[] dx) {
        int in = p.inFeatures();
        int out = p.outFeatures();
        for (int b = 0; b < p.batch(); b++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int o = 0; o < out; o++) {
                    sum += dy[b * out + o] * w[o * in + i];
                }
                dx[b * in + i] = sum;
            }
        }
    }

    // dw (o,i) = sum_b dy (b,o) * x (b,i), overwritten
    static void backwardWeight(LinearProblem p, double[] x, double[] dy, double[] dw) {
        int in = p.inFeatures();
        int out = p.outFeatures();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int b = 0; b < p.batch(); b++) {
                    sum += dy[b * out + o] * x[b * in + i];
                }
                dw[o * in + i] = sum;
            }
        }
    }
}
