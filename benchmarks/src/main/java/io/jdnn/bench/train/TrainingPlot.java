package io.jdnn.bench.train;

import io.jdnn.examples.Batch;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Draws the loss curves of a run (one line per loss, against the step), and beside them, where there
 * are generated samples, a grid of those images; writes a PNG with java.awt (headless).
 */
final class TrainingPlot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
    private static final int PLOT_W = 720;
    private static final int PLOT_H = 420;
    private static final int MARGIN_L = 70;
    private static final int MARGIN_R = 20;
    private static final int MARGIN_T = 40;
    private static final int MARGIN_B = 50;
    /** Pixels between the images of the sample grid. */
    private static final int GAP = 2;

    private TrainingPlot() {
    }

    /**
     * @param losses  losses[step][k], step 0 being step 1
     * @param samples images in [-1, 1] to tile beside the curve, or null
     */
    static BufferedImage render(String title, List<String> names, List<double[]> losses, Batch samples) {
        int gridSide = 0;
        int cell = 0;
        int cols = 0;
        if (samples != null) {
            cols = (int) Math.ceil(Math.sqrt(samples.size()));
            cell = Math.max(1, (PLOT_H - MARGIN_T - MARGIN_B - cols * GAP) / (cols * samples.shape().dim(2)));
            gridSide = cols * (samples.shape().dim(3) * cell + GAP);
        }
        int width = PLOT_W + (samples == null ? 0 : gridSide + 40);
        BufferedImage img = new BufferedImage(width, PLOT_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, PLOT_H);
            drawCurves(g, title, names, losses);
            if (samples != null) {
                drawGrid(g, samples, PLOT_W + 20, MARGIN_T, cols, cell);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    static void write(File file, BufferedImage img) throws IOException {
        File parent = file.getAbsoluteFile().getParentFile();
        if (parent != null && !parent.isDirectory() && !parent.mkdirs()) {
            throw new IOException("cannot create directory " + parent);
        }
        if (!ImageIO.write(img, "png", file)) {
            throw new IOException("no PNG writer available");
        }
    }

    private static void drawCurves(Graphics2D g, String title, List<String> names, List<double[]> losses) {
        int x0 = MARGIN_L;
        int y0 = PLOT_H - MARGIN_B;
        int w = PLOT_W - MARGIN_L - MARGIN_R;
        int h = PLOT_H - MARGIN_T - MARGIN_B;
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double[] l : losses) {
            for (double v : l) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-12) {
            hi = lo + 1;
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        int steps = losses.size();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 5; i++) {
            int y = y0 - h * i / 5;
            g.drawLine(x0, y, x0 + w, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0 - h, w, h);
        for (int i = 0; i <= 5; i++) {
            int y = y0 - h * i / 5;
            String s = String.format(Locale.ROOT, "%.3g", lo + (hi - lo) * i / 5);
            g.drawString(s, x0 - 8 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        for (int i = 0; i <= 4; i++) {
            long step = 1 + Math.round((steps - 1) * i / 4.0);
            int x = x0 + (steps <= 1 ? 0 : (int) ((step - 1) * w / (steps - 1)));
            String s = Long.toString(step);
            g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y0 + 18);
        }
        g.drawString("step", x0 + w / 2 - 12, y0 + 38);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x0, MARGIN_T - 14);
        g.setStroke(new BasicStroke(1.6f));
        for (int k = 0; k < names.size(); k++) {
            g.setColor(COLORS[k % COLORS.length]);
            Path2D.Double path = new Path2D.Double();
            boolean started = false;
            for (int s = 0; s < steps; s++) {
                double v = losses.get(s)[k];
                if (!Double.isFinite(v)) {
                    started = false;
                    continue;
                }
                double x = x0 + (steps <= 1 ? w / 2.0 : (double) s * w / (steps - 1));
                double y = y0 - (v - lo) / (hi - lo) * h;
                if (started) {
                    path.lineTo(x, y);
                } else {
                    path.moveTo(x, y);
                    started = true;
                }
            }
            g.draw(path);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int ly = MARGIN_T + 16 + 16 * k;
            g.drawLine(x0 + w - 110, ly - 4, x0 + w - 90, ly - 4);
            g.setColor(Color.BLACK);
            g.drawString(names.get(k), x0 + w - 84, ly);
        }
    }

    private static void drawGrid(Graphics2D g, Batch samples, int left, int top, int cols, int cell) {
        int n = samples.size();
        int c = samples.shape().dim(1);
        int ih = samples.shape().dim(2);
        int iw = samples.shape().dim(3);
        float[] d = samples.images();
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("generated samples", left, top - 14);
        for (int i = 0; i < n; i++) {
            int gx = left + (i % cols) * (iw * cell + GAP);
            int gy = top + (i / cols) * (ih * cell + GAP);
            for (int y = 0; y < ih; y++) {
                for (int x = 0; x < iw; x++) {
                    int[] rgb = new int[3];
                    for (int k = 0; k < 3; k++) {
                        float v = d[((i * c + Math.min(k, c - 1)) * ih + y) * iw + x];
                        rgb[k] = Math.round(Math.max(0f, Math.min(1f, (v + 1) / 2)) * 255);
                    }
                    g.setColor(new Color(rgb[0], rgb[1], rgb[2]));
                    g.fillRect(gx + x * cell, gy + y * cell, cell, cell);
                }
            }
        }
    }
}
