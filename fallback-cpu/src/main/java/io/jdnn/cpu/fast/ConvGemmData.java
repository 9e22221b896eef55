package io.jdnn.cpu.fast;

import io.jdnn.Activation;
import io.jdnn.DirectConv;
import io.jdnn.cpu.fast.ConvGemm.Block;

import java.util.Arrays;

import static io.jdnn.cpu.fast.ConvGemm.KC;
import static io.jdnn.cpu.fast.ConvGemm.MIN_ROWS;
import static io.jdnn.cpu.fast.ConvGemm.NC;
import static io.jdnn.cpu.fast.ConvGemm.SHARED_COLUMNS;

/**
 * IM2COL_GEMM backward-data: a gather, never a scatter. The image rows and columns are split into
 * stride phases ({@code h mod strideH}, {@code w mod strideW}); within a phase only the filter taps
 * with {@code (h + padH - r*dilationH) mod strideH == 0} contribute, each from dy at a fixed offset,
 * so every phase is a dense GEMM dx_phase (c, pixels) = w^T (c, k*taps) x dy col (k*taps, pixels),
 * and every dx element is written once. dy is first copied into shifted planes ({@link ShiftedDy}),
 * so that every row of a phase's column matrix is one contiguous slice. The GEMM blocks and packing
 * are {@link ConvGemm}'s.
 */
final class ConvGemmData {
    private ConvGemmData() {
    }

    /** The filter taps of one stride phase along one axis, with the dy offset of each. */
    record Phase(int start, int count, int[] taps, int[] offsets) {
        static Phase of(int a, int stride, int pad, int dil, int kernel, int imageSize) {
            int count = a >= imageSize ? 0 : (int) (((long) imageSize - a + stride - 1) / stride);
            int n = 0;
            int[] taps = new int[kernel];
            int[] offs = new int[kernel];
            for (int r = 0; r < kernel; r++) {
                int v = a + pad - r * dil;
                if (Math.floorMod(v, stride) == 0) {
                    taps[n] = r;
                    offs[n] = Math.floorDiv(v, stride);
                    n++;
                }
            }
            return new Phase(a, count, Arrays.copyOf(taps, n), Arrays.copyOf(offs, n));
        }
    }

    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, CpuBuffer weights, float[] bias, Activation act,
                             float[] dx) {
        backwardData(dev, d, dy, weights, bias, act, dx, SHARED_COLUMNS);
    }

    /** {@link #backwardData}, with dy's shifted copies made for as many images at a time as fit {@code planeLimit} floats. */
    static void backwardData(CpuDevice dev, DirectConv d, float[] dy, CpuBuffer weights, float[] bias, Activation act,
                             float[] dx, long planeLimit) {
        int g = d.groups(), cg = d.cPerGroup(), kg = d.kPerGroup();
        int rs = d.r() * d.s();
        int sh = d.strideH(), sw = d.strideW();
        // Phases a >= the image's size hold no pixel (a stride may be 2^31 - 1): only the first
        // min(stride, size) exist, and the taps of the others are left out of the packing.
        int nph = Math.min(sh, d.h()), npw = Math.min(sw, d.w());
        Phase[] rowPh = new Phase[nph];
        Phase[] colPh = new Phase[npw];
        for (int a = 0; a < nph; a++) {
            rowPh[a] = Phase.of(a, sh, d.padH(), d.dilationH(), d.r(), d.h());
        }
        for (int b = 0; b < npw; b++) {
            colPh[b] = Phase.of(b, sw, d.padW(), d.dilationW(), d.s(), d.w());
        }
        int phases = nph * npw;
        // Pack w^T per (phase, group): A[c][(k, tr, ts)] = w[g*kg + k][c][taps r][taps s].
        int[] aOff = new int[phases * g];
        int total = 0;
        int maxPix = 0;
        for (int ph = 0; ph < phases; ph++) {
            Phase pr = rowPh[ph / npw], pc = colPh[ph % npw];
            int kk = kg * pr.taps().length * pc.taps().length;
            for (int gi = 0; gi < g; gi++) {
                aOff[ph * g + gi] = total;
                total += cg * kk;
            }
            maxPix = Math.max(maxPix, pr.count() * pc.count());
        }
        // Packed once per weight tensor and layout, and kept on the buffer until the weights change.
        float[] packed = weights.packed(new CpuBuffer.PackKey("IM2COL_GEMM backward-data", d.problem().withBatch(1)), total, out -> {
            float[] w = weights.read();
            // As large as the weights, so packed in parallel.
            int[] rPh = new int[d.r()], rIdx = new int[d.r()], sPh = new int[d.s()], sIdx = new int[d.s()];
            Arrays.fill(rPh, -1); // a tap of no existing phase stays -1
            Arrays.fill(sPh, -1);
            for (int a = 0; a < nph; a++) {
                int[] t = rowPh[a].taps();
                for (int i = 0; i < t.length; i++) {
                    rPh[t[i]] = a;
                    rIdx[t[i]] = i;
                }
            }
            for (int b = 0; b < npw; b++) {
                int[] t = colPh[b].taps();
                for (int j = 0; j < t.length; j++) {
                    sPh[t[j]] = b;
                    sIdx[t[j]] = j;
                }
            }
            // Tap e = r*s + s of group gi lands at packed[dst[gi*rs + e] + (c*kg + k) * tapsOf[e]].
            int[] dst = new int[g * rs], tapsOf = new int[rs];
            for (int r = 0; r < d.r(); r++) {
                for (int s2 = 0; s2 < d.s(); s2++) {
                    int e = r * d.s() + s2;
                    if (rPh[r] < 0 || sPh[s2] < 0) {
                        for (int gi = 0; gi < g; gi++) {
                            dst[gi * rs + e] = -1; // the tap reaches no dx pixel
                        }
                        continue;
                    }
                    int ph = rPh[r] * npw + sPh[s2];
                    int ts = colPh[sPh[s2]].taps().length;
                    tapsOf[e] = rowPh[rPh[r]].taps().length * ts;
                    for (int gi = 0; gi < g; gi++) {
                        dst[gi * rs + e] = aOff[ph * g + gi] + rIdx[r] * ts + sIdx[s2];
                    }
                }
            }
            // One task per (group, image channel): each writes its own rows of every phase's matrix.
            dev.parallel().forEach(g * cg, (job, worker) -> {
                int gi = job / cg, c = job % cg;
                for (int k = 0; k < kg; k++) {
                    int wb = ((gi * kg + k) * cg + c) * rs;
                    int row = c * kg + k;
                    for (int e = 0; e < rs; e++) {
                        int at = dst[gi * rs + e];
                        if (at >= 0) {
                            out[at + row * tapsOf[e]] = w[wb + e];
                        }
                    }
                }
            });
        });
        if (maxPix == 0) {
            return;
        }
        int nc = Math.min(NC, Workspace.padTile(maxPix));
        int blocks = (maxPix + nc - 1) / nc;
        int maxKK = 0;
        for (int ph = 0; ph < phases; ph++) {
            maxKK = Math.max(maxKK, kg * rowPh[ph / npw].taps().length * colPh[ph % npw].taps().length);
        }
        // dy is copied into shifted planes once per call (in rounds of images, to bound the copy), so
        // that every column row is one contiguous slice
        int perRound = ShiftedDy.imagesPerRound(d, rowPh, colPh, planeLimit);
        if (perRound == 0) { // one image's planes alone exceed the limit: gathered from dy itself
            phaseGemms(dev, d, ShiftedDy.direct(d, dy, colPh), 0, d.n(), rowPh, colPh, packed, aOff, nc, blocks, maxKK,
                    bias, act, dx);
            return;
        }
        for (int n0 = 0, n1; n0 < d.n(); n0 = n1) {
            n1 = (int) Math.min(d.n(), (long) n0 + perRound);
            ShiftedDy sd = ShiftedDy.build(dev, d, dy, rowPh, colPh, n0, n1);
            phaseGemms(dev, d, sd, n0, n1, rowPh, colPh, packed, aOff, nc, blocks, maxKK, bias, act, dx);
        }
    }

    /** The phase GEMMs of images [n0, n1), whose dy planes are {@code sd}, into dx. */
    private static void phaseGemms(CpuDevice dev, DirectConv d, ShiftedDy sd, int n0, int n1, Phase[] rowPh,
                                   Phase[] colPh, float[] packed, int[] aOff, int nc, int blocks, int maxKK,
                                   float[] bias, Activation act, float[] dx) {
        Kernels kern = dev.kernels();
        int g = d.groups(), cg = d.cPerGroup();
        int sh = d.strideH(), sw = d.strideW();
        int npw = colPh.length, phases = rowPh.length * npw;
        int kg = d.kPerGroup();
        // Few pixel blocks (batch 1, small images) are also split by image channels; with packed
        // panels, the dy columns are then gathered once for all channel blocks (as in forward).
        int colBlocks = (n1 - n0) * g * phases * blocks; // (image, group, phase, pixel block)
        int nr = kern.panelWidth();
        int sharedRows = maxKK;
        boolean share = nr > 0 && (long) colBlocks * maxKK * nc <= SHARED_COLUMNS;
        int mb = dev.parallel().rowBlock(colBlocks, cg, MIN_ROWS, share ? Parallel.TASKS_PER_WORKER : 1);
        int mBlocks = (cg + mb - 1) / mb;
        float[] shared = share && mBlocks > 1 ? dev.scratch(2, colBlocks * maxKK * nc) : null;
        if (shared != null) {
            int chunks = (maxKK + KC - 1) / KC;
            dev.parallel().forEach(colBlocks * chunks, (task, worker) -> {
                int cb = task / chunks, k0 = (task % chunks) * KC;
                int ph = (cb / blocks) % phases;
                Phase pr = rowPh[ph / npw], pc = colPh[ph % npw];
                int j0 = (cb % blocks) * nc, pix = pr.count() * pc.count();
                int kk = kg * pr.taps().length * pc.taps().length;
                if (j0 < pix && k0 < kk) {
                    Block b = Block.packed(shared, ((long) cb * sharedRows + k0) * nc, dev.workspace(worker).panelRow(), nr);
                    gatherPhaseChunk(d, sd, cb / blocks / phases / g, (cb / blocks / phases) % g, pr, ph % npw, pc,
                            k0, Math.min(KC, kk - k0), j0, Math.min(nc, pix - j0), b);
                }
            });
        }
        dev.parallel().forEach(colBlocks * mBlocks, (task, worker) -> {
            int c0 = (task % mBlocks) * mb;
            int rows = Math.min(mb, cg - c0);
            int cb = task / mBlocks;
            int jb = cb % blocks;
            int ph = (cb / blocks) % phases;
            int gi = (cb / blocks / phases) % g;
            int nl = cb / blocks / phases / g;
            int n = n0 + nl;
            Phase pr = rowPh[ph / npw], pc = colPh[ph % npw];
            int pix = pr.count() * pc.count();
            int j0 = jb * nc;
            if (j0 >= pix) {
                return;
            }
            int len = Math.min(nc, pix - j0);
            int kk = kg * pr.taps().length * pc.taps().length;
            Workspace ws = dev.workspace(worker);
            float[][] c = ws.rowsC(rows, nc);
            if (kk == 0) {
                for (int ci = 0; ci < rows; ci++) {
                    Arrays.fill(c[ci], 0, nc, 0f);
                }
            } else {
                Block own = shared == null ? Block.of(kern, ws, Math.min(KC, kk), nc) : null;
                int base = aOff[ph * g + gi] + c0 * kk; // row c0 of the phase's w^T
                for (int k0 = 0; k0 < kk; k0 += KC) {
                    int kc = Math.min(KC, kk - k0);
                    Block b = own;
                    if (shared == null) {
                        gatherPhaseChunk(d, sd, nl, gi, pr, ph % npw, pc, k0, kc, j0, len, own);
                    } else {
                        b = Block.packed(shared, ((long) cb * sharedRows + k0) * nc, ws.panelRow(), nr);
                    }
                    b.gemm(kern, rows, len, kc, packed, base + k0, kk, c, k0 > 0);
                }
            }
            int wc = pc.count();
            for (int ci = 0; ci < rows; ci++) {
                int ch = gi * cg + c0 + ci;
                float bv = bias == null ? 0f : bias[ch];
                float[] src = c[ci];
                if (act != null) {
                    // the epilogue on the tile: bias added first (the same sum as the store's), then the activation
                    for (int t = 0; t < len; t++) {
                        src[t] += bv;
                    }
                    Elementwise.epilogue(act, src, 0, len);
                    bv = -0f; // v + -0f is v, bit for bit (also -0f), so the store below adds nothing
                }
                long plane = ((long) n * d.c() + ch) * d.h() * d.w();
                int t = 0;
                int i = j0 / wc, j = j0 % wc;
                while (t < len) {
                    int seg = Math.min(wc - j, len - t);
                    int rowBase = (int) (plane + (long) (pr.start() + i * sh) * d.w() + pc.start());
                    if (sw == 1) {
                        for (int e = 0; e < seg; e++) {
                            dx[rowBase + j + e] = src[t + e] + bv;
                        }
                    } else {
                        for (int e = 0; e < seg; e++) {
                            dx[rowBase + (j + e) * sw] = src[t + e] + bv;
                        }
                    }
                    t += seg;
                    i++;
                    j = 0;
                }
            }
        });
    }

    /**
     * Rows [k0, k0 + kc) of the dy column matrix of phase (pr, column phase b = pc), group gi, local
     * image nl of {@code sd} (row (k, i, j) = response channel k of the group at the phase's row tap i
     * and column tap j), phase pixels [j0, j0 + len), into b.
     */
    private static void gatherPhaseChunk(DirectConv d, ShiftedDy sd, int nl, int gi, Phase pr, int bIdx, Phase pc,
                                         int k0, int kc, int j0, int len, Block b) {
        int tr = pr.taps().length, ts = pc.taps().length;
        for (int row = 0; row < kc; row++) {
            int idx = k0 + row;
            int k = idx / (tr * ts);
            int i = (idx / ts) % tr;
            int j = idx % ts;
            sd.gather(nl, gi * d.kPerGroup() + k, pr.offsets()[i], pr.count(), bIdx, j, pc.count(), j0, len,
                    b.row(row, kc, len));
        }
    }
}
