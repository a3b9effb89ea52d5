package dev.fedexlora.cli.experiment;

import java.util.List;
import java.util.Locale;

/**
 * Paired comparisons over seeds: the mean difference with its two-sided 95 % Student-t interval, and the smallest
 * difference the same number of seeds would detect with 80 % power at that spread.
 */
final class Stats {

    /** t quantiles 0.975 and 0.80 for 1..30 degrees of freedom (beyond 30 the normal's). */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
        2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
        2.048, 2.045, 2.042};
    private static final double[] T80 = {1.376, 1.061, 0.978, 0.941, 0.920, 0.906, 0.896, 0.889, 0.883, 0.879, 0.876,
        0.873, 0.870, 0.868, 0.866, 0.865, 0.863, 0.862, 0.861, 0.860, 0.859, 0.858, 0.858, 0.857, 0.856, 0.856, 0.855,
        0.855, 0.854, 0.854};

    private Stats() {
    }

    /** Mean, sample standard deviation, n, half-width of the 95 % interval, and the 80 %-power detectable difference. */
    record Paired(double mean, double sd, int n, double halfWidth, double detectable) {

        double low() {
            return mean - halfWidth;
        }

        double high() {
            return mean + halfWidth;
        }

        /** Whether the interval excludes 0. */
        boolean resolved() {
            return n > 1 && (low() > 0 || high() < 0);
        }

        /**
         * The seeds a paired study with this spread needs to detect {@code difference} with 80 % power at the 5 %
         * level: the smallest n with (t(0.975, n−1) + t(0.80, n−1))·sd/√n ≤ difference; at least 2, NaN without a
         * spread, capped at 1000.
         */
        double seedsFor(double difference) {
            if (n < 2 || !(sd >= 0) || !(difference > 0)) {
                return Double.NaN;
            }
            for (int k = 2; k <= 1000; k++) {
                if ((t975(k - 1) + t80(k - 1)) * sd / Math.sqrt(k) <= difference) {
                    return k;
                }
            }
            return 1000;
        }

        /** {@code +1.23 [+0.10, +2.36]} with the values scaled by {@code scale} (100 for accuracy points). */
        String format(double scale, int digits) {
            if (n == 0) {
                return "–";
            }
            String f = "%+." + digits + "f";
            if (n == 1) {
                return String.format(Locale.ROOT, f + " (1 seed)", mean * scale);
            }
            return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean * scale, low() * scale, high() * scale);
        }
    }

    static Paired paired(List<Double> d) {
        int n = d.size();
        if (n == 0) {
            return new Paired(Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN);
        }
        double mean = d.stream().mapToDouble(x -> x).average().orElse(Double.NaN);
        if (n == 1) {
            return new Paired(mean, Double.NaN, 1, Double.NaN, Double.NaN);
        }
        double var = d.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        double se = Math.sqrt(var / n);
        return new Paired(mean, Math.sqrt(var), n, t975(n - 1) * se, (t975(n - 1) + t80(n - 1)) * se);
    }

    static double t975(int df) {
        return df <= 30 ? T975[df - 1] : 1.960;
    }

    static double t80(int df) {
        return df <= 30 ? T80[df - 1] : 0.842;
    }

    /** Pearson's r of paired values with its 95 % interval by Fisher's z: {r, low, high}; NaN below 4 pairs. */
    static double[] correlation(List<double[]> xy) {
        int n = xy.size();
        if (n < 4) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double mx = xy.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = xy.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (double[] p : xy) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
            syy += (p[1] - my) * (p[1] - my);
        }
        double r = sxy / Math.sqrt(sxx * syy);
        double z = 0.5 * Math.log((1 + r) / (1 - r));
        double se = 1 / Math.sqrt(n - 3);
        return new double[] {r, Math.tanh(z - 1.96 * se), Math.tanh(z + 1.96 * se)};
    }

    static double mean(List<Double> values) {
        return values.stream().mapToDouble(x -> x).average().orElse(Double.NaN);
    }
}
