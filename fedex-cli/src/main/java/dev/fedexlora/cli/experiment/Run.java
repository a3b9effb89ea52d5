package dev.fedexlora.cli.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One job of an experiment: a method on one split of the data with one seed.
 *
 * @param method  CENTRALIZED, FEDEX, FEDIT or FFA
 * @param alpha   Dirichlet concentration of the split (ignored for CENTRALIZED)
 * @param clients clients of the split (1 for CENTRALIZED)
 * @param rank    LoRA rank
 * @param seed    seed of the split, the adapters' initialisation and the clients' batch order
 */
public record Run(String method, double alpha, int clients, int rank, long seed) {

    public static final String POOLED = "pooled";

    public boolean centralized() {
        return method.equals("CENTRALIZED");
    }

    /** The setting the run belongs to, e.g. {@code a0.1-n10-r4} (or {@code r4} for CENTRALIZED). */
    public String setting() {
        return centralized() ? "r" + rank : "a" + alphaLabel(alpha) + "-n" + clients + "-r" + rank;
    }

    public String name() {
        return method.toLowerCase(Locale.ROOT) + "-" + setting() + "-s" + seed;
    }

    /** The ids of the clients taking part: the shards of the split, or the one client holding the pooled data. */
    public List<String> clientIds() {
        if (centralized()) {
            return List.of(POOLED);
        }
        List<String> ids = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            ids.add(shardPrefix(alpha, clients, seed) + i);
        }
        return ids;
    }

    /** Client id prefix of the split with this concentration, client count and seed. */
    public static String shardPrefix(double alpha, int clients, long seed) {
        return "a" + alphaLabel(alpha) + "-n" + clients + "-s" + seed + "-c";
    }

    public static String alphaLabel(double alpha) {
        return alpha == Math.rint(alpha) ? Long.toString((long) alpha) : Double.toString(alpha);
    }
}
