package dev.fedexlora.cli.train;

import dev.fedexlora.train.training.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar for training steps on stderr: bar, step, loss, learning rate, steps per second and the
 * time left. Redrawn in place at most five times a second; the last step always shows.
 */
public final class ProgressBar implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    public ProgressBar(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    @Override
    public void onStep(int step, int total, double loss, double learningRate) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (step < total && now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        err.print('\r');
        err.print(line(step, total, loss, learningRate, (now - start) / 1e9));
        err.flush();
        drawn = true;
    }

    /** Ends the bar's line. */
    public void done() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    static String line(int step, int total, double loss, double learningRate, double seconds) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * step / total);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        double rate = seconds > 0 ? step / seconds : 0;
        long left = rate > 0 ? Math.round((total - step) / rate) : 0;
        return String.format(Locale.ROOT, "[%s] %d/%d  loss %.4f  lr %.2e  %.2f steps/s  ETA %d:%02d",
                bar, step, total, loss, learningRate, rate, left / 60, left % 60);
    }
}
