package dev.fedexlora.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Splits a dataset into client shards, deterministically for a given seed.
 *
 * <ul>
 *   <li>{@code IID}: a seeded shuffle dealt round-robin, so shard sizes differ by at most one.</li>
 *   <li>{@code BY_LABEL}: each label goes whole to one client (labels dealt round-robin in a seeded order), the
 *       extreme non-IID split; needs at least as many labels as clients.</li>
 *   <li>{@code DIRICHLET}: for every label, client proportions are drawn from Dirichlet(α) and the label's
 *       examples cut accordingly (small α: skewed, large α: near IID).</li>
 * </ul>
 */
public final class Partitioner {

    public enum Strategy {
        IID, BY_LABEL, DIRICHLET;

        public static Strategy parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private Partitioner() {
    }

    public static List<List<Example>> split(List<Example> examples, int clients, Strategy strategy, double alpha,
                                            long seed) {
        if (clients <= 0) {
            throw new IllegalArgumentException("clients must be positive, got " + clients);
        }
        Random rnd = new Random(seed);
        List<List<Example>> shards = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            shards.add(new ArrayList<>());
        }
        switch (strategy) {
            case IID -> {
                List<Example> shuffled = new ArrayList<>(examples);
                Collections.shuffle(shuffled, rnd);
                for (int i = 0; i < shuffled.size(); i++) {
                    shards.get(i % clients).add(shuffled.get(i));
                }
            }
            case BY_LABEL -> {
                List<List<Example>> byLabel = new ArrayList<>(byLabel(examples).values());
                if (byLabel.size() < clients) {
                    throw new IllegalArgumentException(byLabel.size() + " labels cannot cover " + clients + " clients");
                }
                Collections.shuffle(byLabel, rnd);
                for (int i = 0; i < byLabel.size(); i++) {
                    shards.get(i % clients).addAll(byLabel.get(i));
                }
            }
            case DIRICHLET -> {
                if (!(alpha > 0)) {
                    throw new IllegalArgumentException("Dirichlet alpha must be positive, got " + alpha);
                }
                for (List<Example> label : byLabel(examples).values()) {
                    List<Example> shuffled = new ArrayList<>(label);
                    Collections.shuffle(shuffled, rnd);
                    double[] p = dirichlet(clients, alpha, rnd);
                    double cumulative = 0;
                    int start = 0;
                    for (int c = 0; c < clients; c++) {
                        cumulative += p[c];
                        int end = c == clients - 1 ? shuffled.size() : (int) Math.round(cumulative * shuffled.size());
                        shards.get(c).addAll(shuffled.subList(start, Math.max(start, end)));
                        start = Math.max(start, end);
                    }
                }
            }
        }
        for (List<Example> s : shards) {
            Collections.shuffle(s, rnd);
        }
        return shards;
    }

    /** A seeded train/held-out split: the last {@code heldOutFraction} of a shuffle is held out. */
    public static List<List<Example>> trainTest(List<Example> examples, double heldOutFraction, long seed) {
        if (heldOutFraction < 0 || heldOutFraction >= 1) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + heldOutFraction);
        }
        List<Example> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new Random(seed));
        int test = (int) Math.round(shuffled.size() * heldOutFraction);
        int train = shuffled.size() - test;
        return List.of(List.copyOf(shuffled.subList(0, train)), List.copyOf(shuffled.subList(train, shuffled.size())));
    }

    private static Map<Integer, List<Example>> byLabel(List<Example> examples) {
        Map<Integer, List<Example>> out = new TreeMap<>();
        for (Example e : examples) {
            out.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
        }
        return out;
    }

    /** A draw from the symmetric Dirichlet(α) through normalised Gamma(α, 1) draws (Marsaglia-Tsang). */
    static double[] dirichlet(int k, double alpha, Random rnd) {
        double[] g = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            g[i] = gamma(alpha, rnd);
            sum += g[i];
        }
        for (int i = 0; i < k; i++) {
            g[i] = sum > 0 ? g[i] / sum : 1.0 / k;
        }
        return g;
    }

    private static double gamma(double alpha, Random rnd) {
        if (alpha < 1) {
            return gamma(alpha + 1, rnd) * Math.pow(rnd.nextDouble(), 1 / alpha);
        }
        double d = alpha - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = rnd.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rnd.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
