package io.jdnn.bench.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn in place with a carriage return:
 * {@code [########----------]  8/20  1.3 s  eta 2.0 s}. {@link #clear()} wipes it before other output
 * goes to the same terminal.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final long total;
    private final boolean enabled;
    private int lastLength;

    ProgressBar(PrintWriter out, long total, boolean enabled) {
        this.out = out;
        this.total = total;
        this.enabled = enabled;
    }

    /** The bar for {@code done} of {@code total} after {@code seconds}. */
    static String render(long done, long total, double seconds) {
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < WIDTH; i++) {
            b.append(i < filled ? '#' : '-');
        }
        b.append("] ").append(String.format(Locale.ROOT, "%" + Long.toString(total).length() + "d/%d  %.1f s", done, total, seconds));
        if (done > 0 && done < total) {
            b.append(String.format(Locale.ROOT, "  eta %.1f s", seconds / done * (total - done)));
        }
        return b.toString();
    }

    void update(long done, double seconds) {
        if (!enabled) {
            return;
        }
        String s = render(done, total, seconds);
        out.print("\r" + s + " ".repeat(Math.max(0, lastLength - s.length())));
        out.flush();
        lastLength = s.length();
    }

    void clear() {
        if (!enabled || lastLength == 0) {
            return;
        }
        out.print("\r" + " ".repeat(lastLength) + "\r");
        out.flush();
        lastLength = 0;
    }

    /** Leaves the final bar on its own line. */
    void finish(double seconds) {
        if (!enabled) {
            return;
        }
        update(total, seconds);
        out.println();
        lastLength = 0;
    }
}
