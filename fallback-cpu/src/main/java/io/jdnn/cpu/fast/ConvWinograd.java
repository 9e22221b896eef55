package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;

import java.util.Arrays;

/**
 * WINOGRAD F(4x4, 3x3) (Lavin and Gray, 2016) for 3x3 stride-1 problems of any dilation, forward and
 * backward-data (the latter is the same correlation on dy with the filter flipped and its channel
 * roles swapped, padding 2*dilation - pad). A dilated problem runs as dilation^2 undilated ones on
 * the image's phases. 6x6 input tiles overlap by 2 and give 4x4 outputs: 36
 * multiplies instead of 144 per tile and channel pair. Per task (image, group, block of tiles): the
 * input tiles are transformed into 36 matrices V (c x tiles), multiplied by the transformed
 * filters U (k x c) with the GEMM kernel, and transformed back. The filter transform is computed in
 * float64 and rounded once, and kept on the weights' buffer until they change ({@link CpuBuffer#packed}).
 */
final class ConvWinograd {
    private ConvWinograd() {
    }

    /**
     * Tiles per task at most: long enough for the transform loops over tiles to run vectorized,
     * short enough that the 36 transformed inputs (36 x channels x tiles floats) stay in cache.
     */
    static final int TILES = 128;

    static void forward(CpuDevice dev, DirectConv d, float[] x, CpuBuffer w, float[] bias, Activation act, float[] y) {
        float[] u = w.packed(new CpuBuffer.PackKey("WINOGRAD forward", d.problem().withBatch(1)), 36 * d.k() * d.cPerGroup(),
                out -> transformFilters(d.k(), d.cPerGroup(), d.kPerGroup(), d.groups(), w.read(), false, out));
        run(dev, d.n(), d.c(), d.h(), d.w(), d.k(), d.groups(), d.p(), d.q(), d.padH(), d.padW(), d.dilationH(),
                d.dilationW(), x, u, bias, act, y);
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, CpuBuffer w, float[] bias, Activation act,
                             float[] dx) {
        // dx = corr(dy, w') with w'[c][k][r][s] = w[k][c][2-r][2-s], per group, padding 2 - pad.
        float[] u = w.packed(new CpuBuffer.PackKey("WINOGRAD backward-data", d.problem().withBatch(1)),
                36 * d.c() * d.kPerGroup(),
                out -> transformFilters(d.c(), d.kPerGroup(), d.cPerGroup(), d.groups(), w.read(), true, out));
        run(dev, d.n(), d.k(), d.p(), d.q(), d.c(), d.groups(), d.h(), d.w(), 2 * d.dilationH() - d.padH(),
                2 * d.dilationW() - d.padW(), d.dilationH(), d.dilationW(), dy, u, bias, act, dx);
    }

    /**
     * U[g][xi][ko][ci] = (G f G^T)[xi] for output channel ko and input channel ci of group g, where
     * f = w[ko][ci] (forward) or f = w[ci'][ko'] flipped (backward-data: ko indexes the image side).
     */
    private static void transformFilters(int kOut, int cin, int kPerGroup, int groups, float[] w, boolean transposeFlip,
                                         float[] u) {
        double[] g = new double[9];
        double[] t = new double[18];
        for (int ko = 0; ko < kOut; ko++) {
            int gi = ko / kPerGroup, kl = ko % kPerGroup;
            for (int ci = 0; ci < cin; ci++) {
                for (int i = 0; i < 9; i++) {
                    if (transposeFlip) {
                        // w laid out (k, c/groups, 3, 3) with k = gi*cin + ci, c-in-group = kl
                        g[i] = w[((gi * cin + ci) * kPerGroup + kl) * 9 + 8 - i];
                    } else {
                        g[i] = w[(ko * cin + ci) * 9 + i];
                    }
                }
                // t (6x3) = G g
                for (int j = 0; j < 3; j++) {
                    double g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
                    t[j] = g0 / 4;
                    t[3 + j] = -(g0 + g1 + g2) / 6;
                    t[6 + j] = (-g0 + g1 - g2) / 6;
                    t[9 + j] = g0 / 24 + g1 / 12 + g2 / 6;
                    t[12 + j] = g0 / 24 - g1 / 12 + g2 / 6;
                    t[15 + j] = g2;
                }
                // U (6x6) = t G^T
                for (int i = 0; i < 6; i++) {
                    double g0 = t[3 * i], g1 = t[3 * i + 1], g2 = t[3 * i + 2];
                    int o = ((gi * 36 + i * 6) * kPerGroup + kl) * cin + ci;
                    int step = kPerGroup * cin;
                    u[o] = (float) (g0 / 4);
                    u[o + step] = (float) (-(g0 + g1 + g2) / 6);
                    u[o + 2 * step] = (float) ((-g0 + g1 - g2) / 6);
                    u[o + 3 * step] = (float) (g0 / 24 + g1 / 12 + g2 / 6);
                    u[o + 4 * step] = (float) (g0 / 24 - g1 / 12 + g2 / 6);
                    u[o + 5 * step] = (float) g2;
                }
            }
        }
    }

    /**
     * 4x4 output tiles of n images of outH x outW outputs computed as dh x dw undilated phases (the
     * tiling of {@link #run}).
     */
    static long tiles(int n, int outH, int outW, int dh, int dw) {
        long rows = 0, cols = 0;
        for (int a = 0; a < dh && a < outH; a++) {
            rows += (((long) outH - a + dh - 1) / dh + 3) / 4;
        }
        for (int b = 0; b < dw && b < outW; b++) {
            cols += (((long) outW - b + dw - 1) / dw + 3) / 4;
        }
        return (long) n * rows * cols;
    }

    /**
     * out (n, kOut, outH, outW) = act(corr3x3(src (n, cIn, hs, ws), filters, dilation dh x dw) + bias)
     * with the given (possibly negative) top and left padding; u from {@link #transformFilters}.
     * A dilated problem splits into dh*dw independent undilated ones, one per output phase
     * (row mod dh, column mod dw), each on the image rows and columns of its own phase.
     *
     * <p>A task takes a pack of bands of whole tile rows (of one or more images and phases, at most
     * {@link #TILES} tiles in all) of one group. Per image channel it copies each band's input rows
     * (that phase's rows and columns, zero outside the image) into a padded buffer, gathers the 6x6 patches into 36 arrays indexed by tile, and runs both 1-D
     * transforms as loops over the tiles, which the JIT vectorizes; the output transform likewise.
     */
    private static void run(CpuDevice dev, int nImg, int cIn, int hs, int wsz, int kOut, int groups, int outH, int outW,
                            int padT, int padL, int dh, int dw, float[] src, float[] u, float[] bias, Activation act,
                            float[] out) {
        Kernels kern = dev.kernels();
        int cg = cIn / groups, kg = kOut / groups;
        int phases = dh * dw;
        int[] tilesH = new int[phases], tilesW = new int[phases];
        int maxTw = 0, maxTh = 0;
        for (int ph = 0; ph < phases; ph++) {
            int a = ph / dw, b = ph % dw;
            int subH = a >= outH ? 0 : (outH - a + dh - 1) / dh;
            int subW = b >= outW ? 0 : (outW - b + dw - 1) / dw;
            tilesH[ph] = (subH + 3) / 4;
            tilesW[ph] = (subW + 3) / 4;
            maxTw = Math.max(maxTw, tilesW[ph]);
            maxTh = Math.max(maxTh, tilesH[ph]);
        }
        if (maxTw == 0 || maxTh == 0) {
            return;
        }
        // whole tile rows per band, as many as fit in TILES tiles, spread evenly over the bands
        int bands = (maxTh + Math.max(1, TILES / maxTw) - 1) / Math.max(1, TILES / maxTw);
        int band = (maxTh + bands - 1) / bands;
        int bw = 4 * maxTw + 2;
        int bh = 4 * band + 2;
        // Units (image, phase, band) in that order, packed greedily into tasks of at most `cap`
        // tiles (a unit larger than that alone): small maps and dilation phases then still give the
        // GEMMs full 32-column panels (a 14x14 map has 16 tiles, a 7x7 one 4), while every worker
        // keeps at least two packs where there are tiles enough. Every tile is transformed,
        // multiplied and written the same way in any pack, so the packing changes no bit.
        int units = nImg * phases * bands;
        int[] unitTiles = new int[units], unitImage = new int[units], unitPhase = new int[units], unitRow = new int[units];
        long totalTiles = 0;
        for (int un = 0; un < units; un++) {
            int ph = (un / bands) % phases, bi = un % bands;
            unitImage[un] = un / bands / phases;
            unitPhase[un] = ph;
            unitRow[un] = bi * band; // the band's first tile row
            unitTiles[un] = Math.max(0, Math.min(band, tilesH[ph] - bi * band)) * tilesW[ph];
            totalTiles += unitTiles[un];
        }
        int cap = (int) Math.min(TILES, Math.max(32, Workspace.padTile((int) Math.min(TILES,
                totalTiles / (2L * dev.parallel().threads())))));
        int[] packStart = new int[units + 1];
        int packs = 0, maxPack = 0;
        for (int un = 0; un < units; ) {
            int from = un, tiles = unitTiles[un++];
            while (un < units && tiles + unitTiles[un] <= cap) {
                tiles += unitTiles[un++];
            }
            packStart[packs++] = from;
            maxPack = Math.max(maxPack, tiles);
        }
        packStart[packs] = units;
        if (maxPack == 0) {
            return;
        }
        int tb = Workspace.padTile(maxPack);
        // Few packs (batch 1, small images) are also split by output channels: each such task
        // transforms the pack's input for itself, then multiplies and transforms back its channels.
        int mb = dev.parallel().rowBlock(packs * groups, kg, ConvGemm.MIN_ROWS, 1);
        int mBlocks = (kg + mb - 1) / mb;
        int packCount = packs;
        dev.parallel().forEach(packCount * groups * mBlocks, (task, worker) -> {
            int k0 = (task % mBlocks) * mb;
            int rows = Math.min(mb, kg - k0);
            int pk = (task / mBlocks) % packCount;
            int gi = task / mBlocks / packCount;
            int u0 = packStart[pk], u1 = packStart[pk + 1];
            int nt = 0;
            for (int un = u0; un < u1; un++) {
                nt += unitTiles[un];
            }
            if (nt == 0) {
                return;
            }
            Workspace ws = dev.workspace(worker);
            float[][] v = ws.rowsB(36 * cg, tb);
            float[][] m = ws.rowsC(36 * rows, tb);
            float[][] d = ws.rowsA(72, tb);
            float[] buf = ws.flatA(bh * bw);
            for (int c = 0; c < cg; c++) {
                for (int un = u0, t0 = 0; un < u1; t0 += unitTiles[un], un++) {
                    if (unitTiles[un] == 0) {
                        continue;
                    }
                    int ph = unitPhase[un], th0 = unitRow[un], tw = tilesW[ph], rowsHere = unitTiles[un] / tw;
                    // buffer element (y, x) holds image (a - padT + dh*(4*th0 + y), b - padL + dw*x), (a, b) = (ph / dw, ph % dw)
                    int plane = (unitImage[un] * cIn + gi * cg + c) * hs * wsz;
                    fillBand(src, plane, hs, wsz, ph / dw - padT + dh * 4 * th0, ph % dw - padL, dh, dw, 4 * rowsHere + 2,
                            4 * tw + 2, buf, bw);
                    // gather: d[i*6 + j][t] = patch element (i, j) of tile t, one element at a time
                    // over the unit's tiles, so that each store stream is sequential
                    for (int e = 0; e < 36; e++) {
                        float[] de = d[e];
                        int off = (e / 6) * bw + e % 6;
                        for (int r = 0, t = t0; r < rowsHere; r++, off += 4 * bw) {
                            for (int tc = 0, o = off; tc < tw; tc++, t++, o += 4) {
                                de[t] = buf[o];
                            }
                        }
                    }
                }
                // columns: e[i*6 + j] = (B^T d)[i][j]
                for (int j = 0; j < 6; j++) {
                    bt(nt, d[j], d[6 + j], d[12 + j], d[18 + j], d[24 + j], d[30 + j],
                            d[36 + j], d[42 + j], d[48 + j], d[54 + j], d[60 + j], d[66 + j]);
                }
                // rows: V[(i*6 + j)*cg + c] = (e B)[i][j]
                for (int i = 0; i < 6; i++) {
                    int r = 36 + i * 6;
                    bt(nt, d[r], d[r + 1], d[r + 2], d[r + 3], d[r + 4], d[r + 5],
                            v[(i * 6) * cg + c], v[(i * 6 + 1) * cg + c], v[(i * 6 + 2) * cg + c],
                            v[(i * 6 + 3) * cg + c], v[(i * 6 + 4) * cg + c], v[(i * 6 + 5) * cg + c]);
                }
            }
            for (int xi = 0; xi < 36; xi++) {
                kern.gemm(rows, nt, cg, u, ((gi * 36 + xi) * kg + k0) * cg, cg, v, xi * cg, m, xi * rows, false);
            }
            for (int k = 0; k < rows; k++) {
                int ko = gi * kg + k0 + k;
                float bv = bias == null ? 0f : bias[ko];
                // columns: f[i*6 + j] = (A^T M)[i][j], i < 4
                for (int j = 0; j < 6; j++) {
                    at(nt, m[j * rows + k], m[(6 + j) * rows + k], m[(12 + j) * rows + k], m[(18 + j) * rows + k],
                            m[(24 + j) * rows + k], m[(30 + j) * rows + k], d[j], d[6 + j], d[12 + j], d[18 + j], 0f);
                }
                // rows: o[i*4 + j] = (f A)[i][j] + bias
                for (int i = 0; i < 4; i++) {
                    int r = i * 6;
                    at(nt, d[r], d[r + 1], d[r + 2], d[r + 3], d[r + 4], d[r + 5],
                            d[36 + i * 4], d[37 + i * 4], d[38 + i * 4], d[39 + i * 4], bv);
                }
                // the fused epilogue on the 16 output arrays, before the scatter stores them
                for (int e = 0; e < 16; e++) {
                    Elementwise.epilogue(act, d[36 + e], 0, nt);
                }
                // scatter: one output element (i, j) of every tile at a time, tiles clipped at the edges
                for (int un = u0, t0 = 0; un < u1; t0 += unitTiles[un], un++) {
                    if (unitTiles[un] == 0) {
                        continue;
                    }
                    int ph = unitPhase[un], a = ph / dw, b = ph % dw, th0 = unitRow[un];
                    int tw = tilesW[ph], rowsHere = unitTiles[un] / tw;
                    int plane = (unitImage[un] * kOut + ko) * outH * outW;
                    for (int e = 0; e < 16; e++) {
                        float[] oe = d[36 + e];
                        int i = e / 4, j = e % 4;
                        int ow0 = b + j * dw;
                        int cols = ow0 >= outW ? 0 : Math.min(tw, (outW - 1 - ow0) / (4 * dw) + 1);
                        for (int r = 0; r < rowsHere; r++) {
                            int oi = a + ((th0 + r) * 4 + i) * dh;
                            if (oi >= outH) {
                                break;
                            }
                            int rb = plane + oi * outW + ow0;
                            for (int tc = 0, t = t0 + r * tw; tc < cols; tc++, t++) {
                                out[rb + tc * 4 * dw] = oe[t];
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * buf[y*bw + x] = image (rowBase + dh*y, colBase + dw*x) of the plane for y &lt; rows and
     * x &lt; cols, 0 outside the image.
     */
    private static void fillBand(float[] src, int plane, int hs, int wsz, int rowBase, int colBase, int dh, int dw,
                                 int rows, int cols, float[] buf, int bw) {
        // columns x with 0 <= colBase + dw*x < wsz
        int lo = colBase >= 0 ? 0 : (-colBase + dw - 1) / dw;
        int hi = colBase >= wsz ? 0 : Math.min(cols, (wsz - 1 - colBase) / dw + 1);
        for (int y = 0; y < rows; y++) {
            int o = y * bw;
            int ih = rowBase + dh * y;
            if (ih < 0 || ih >= hs || hi <= lo) {
                Arrays.fill(buf, o, o + cols, 0f);
                continue;
            }
            Arrays.fill(buf, o, o + lo, 0f);
            int sb = plane + ih * wsz + colBase;
            if (dw == 1) {
                System.arraycopy(src, sb + lo, buf, o + lo, hi - lo);
            } else {
                for (int x = lo; x < hi; x++) {
                    buf[o + x] = src[sb + x * dw];
                }
            }
            Arrays.fill(buf, o + hi, o + cols, 0f);
        }
    }

    /** The 1-D input transform B^T of six arrays into six, element by element over n. */
    private static void bt(int n, float[] d0, float[] d1, float[] d2, float[] d3, float[] d4, float[] d5,
                           float[] r0, float[] r1, float[] r2, float[] r3, float[] r4, float[] r5) {
        lin3(n, 4f, d0, -5f, d2, d4, r0);
        // r1 = -4 (d1 + d2) + d3 + d4, r2 = 4 (d1 - d2) - d3 + d4
        for (int t = 0; t < n; t++) {
            r1[t] = -4f * (d1[t] + d2[t]) + (d3[t] + d4[t]);
        }
        for (int t = 0; t < n; t++) {
            r2[t] = 4f * (d1[t] - d2[t]) + (d4[t] - d3[t]);
        }
        // r3 = 2 (d3 - d1) - d2 + d4, r4 = 2 (d1 - d3) - d2 + d4
        for (int t = 0; t < n; t++) {
            r3[t] = 2f * (d3[t] - d1[t]) + (d4[t] - d2[t]);
        }
        for (int t = 0; t < n; t++) {
            r4[t] = 2f * (d1[t] - d3[t]) + (d4[t] - d2[t]);
        }
        lin3(n, 4f, d1, -5f, d3, d5, r5);
    }

    /** r = a*x + b*y + z. */
    private static void lin3(int n, float a, float[] x, float b, float[] y, float[] z, float[] r) {
        for (int t = 0; t < n; t++) {
            r[t] = a * x[t] + b * y[t] + z[t];
        }
    }

    /** The 1-D output transform A^T of six arrays into four, plus a constant, over n. */
    private static void at(int n, float[] m0, float[] m1, float[] m2, float[] m3, float[] m4, float[] m5,
                           float[] o0, float[] o1, float[] o2, float[] o3, float bias) {
        for (int t = 0; t < n; t++) {
            o0[t] = m0[t] + (m1[t] + m2[t]) + (m3[t] + m4[t]) + bias;
        }
        for (int t = 0; t < n; t++) {
            o1[t] = (m1[t] - m2[t]) + 2f * (m3[t] - m4[t]) + bias;
        }
        for (int t = 0; t < n; t++) {
            o2[t] = (m1[t] + m2[t]) + 4f * (m3[t] + m4[t]) + bias;
        }
        for (int t = 0; t < n; t++) {
            o3[t] = (m1[t] - m2[t]) + 8f * (m3[t] - m4[t]) + m5[t] + bias;
        }
    }
}
