package io.jdnn.cpu.reference;

/**
 * PReLU in float64 over x viewed as (outer, channels, inner), element (n, c, i) at
 * (n * channels + c) * inner + i, with one slope per channel (a shared slope: channels = 1).
 */
final class RefPrelu {
    private RefPrelu() {
    }

    // y = x > 0 ? x : weight[c] * x (NaN stays NaN); y may be x
    static void forward(int outer, int channels, long inner, double[] x, double[] weight, double[] y) {
        for (int n = 0; n < outer; n++) {
            for (int c = 0; c < channels; c++) {
                for (long i = 0; i < inner; i++) {
                    int at = (int) (((long) n * channels + c) * inner + i);
                    y[at] = x[at] > 0 ? x[at] : weight[c] * x[at];
                }
            }
        }
    }

    // dweight[c] = sum over (n, i) of (x > 0 ? 0 : x * dy); then dx = x > 0 ? dy : weight[c] * dy (dx may be x or dy)
    static void backward(int outer, int channels, long inner, double[] x, double[] weight, double[] dy, double[] dx,
                         double[] dweight) {
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int n = 0; n < outer; n++) {
                for (long i = 0; i < inner; i++) {
                    int at = (int) (((long) n * channels + c) * inner + i);
                    sum += x[at] > 0 ? 0 : x[at] * dy[at];
                }
            }
            dweight[c] = sum;
        }
        for (int n = 0; n < outer; n++) {
            for (int c = 0; c < channels; c++) {
                for (long i = 0; i < inner; i++) {
                    int at = (int) (((long) n * channels + c) * inner + i);
                    dx[at] = x[at] > 0 ? dy[at] : weight[c] * dy[at];
                }
            }
        }
    }
}
