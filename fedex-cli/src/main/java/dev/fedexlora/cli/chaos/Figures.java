package dev.fedexlora.cli.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one chaos run saw: HTTP statuses by endpoint, the counters of the figures, what was done, and per
 * promise the evidence that broke it. Thread-safe.
 */
public final class Figures {

    /** A status recorded when a request got no answer (refused, reset or timed out). */
    static final int NO_ANSWER = 0;

    private final Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final Map<Promise, List<String>> evidence = new EnumMap<>(Promise.class);
    private final List<String> actions = new ArrayList<>();
    private final List<String> recoveries = new ArrayList<>();

    void status(String endpoint, int status) {
        statuses.computeIfAbsent(endpoint, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
    }

    void count(String counter, int by) {
        counters.computeIfAbsent(counter, k -> new AtomicInteger()).addAndGet(by);
    }

    public int counter(String counter) {
        AtomicInteger c = counters.get(counter);
        return c == null ? 0 : c.get();
    }

    /** Records that {@code promise} was broken, with what showed it. */
    synchronized void broken(Promise promise, String what) {
        evidence.computeIfAbsent(promise, k -> new ArrayList<>()).add(what);
    }

    synchronized void did(String action) {
        actions.add(action);
    }

    synchronized void recovered(String what, double seconds) {
        recoveries.add(String.format("%s: %.1f s", what, seconds));
        count("recoveries", 1);
    }

    /** The promises broken in this run. */
    public synchronized java.util.Set<Promise> brokenPromises() {
        return java.util.EnumSet.copyOf(evidence.isEmpty() ? java.util.EnumSet.noneOf(Promise.class) : evidence.keySet());
    }

    public synchronized List<String> evidence(Promise p) {
        return List.copyOf(evidence.getOrDefault(p, List.of()));
    }

    /** Responses with a 5xx status, over every endpoint. */
    public int fiveXx() {
        return statuses.values().stream().flatMap(m -> m.entrySet().stream()).filter(e -> e.getKey() >= 500)
                .mapToInt(e -> e.getValue().get()).sum();
    }

    public int requests() {
        return statuses.values().stream().flatMap(m -> m.values().stream()).mapToInt(AtomicInteger::get).sum();
    }

    /** Prints the run: actions, figures, statuses by endpoint, then each promise. */
    public synchronized void print(PrintStream out) {
        out.println("== what the suite did");
        actions.forEach(a -> out.println("  " + a));
        out.println("== figures");
        new TreeMap<>(counters).forEach((k, v) -> out.printf("  %-34s %d%n", k, v.get()));
        out.printf("  %-34s %d%n", "http requests", requests());
        out.printf("  %-34s %d%n", "http 5xx", fiveXx());
        out.println("  time to recover:");
        recoveries.forEach(r -> out.println("    " + r));
        out.println("== HTTP status counts by endpoint (0 = no answer)");
        new TreeMap<>(statuses).forEach((endpoint, m) -> {
            StringBuilder b = new StringBuilder();
            new TreeMap<>(m).forEach((s, n) -> b.append(' ').append(s).append('x').append(n.get()));
            out.printf("  %-62s%s%n", endpoint, b);
        });
        out.println("== promises");
        for (Promise p : Promise.values()) {
            List<String> e = evidence.getOrDefault(p, List.of());
            String known = Promise.KNOWN_BROKEN.get(p);
            String verdict = e.isEmpty() ? (known == null ? "holds" : "HOLDS (listed as known broken: update Promise)")
                    : (known == null ? "BROKEN (new)" : "broken (known: " + known + ")");
            out.printf("  %-28s %s%n", p, verdict);
            e.stream().limit(8).forEach(x -> out.println("      " + x));
            if (e.size() > 8) {
                out.println("      ... and " + (e.size() - 8) + " more");
            }
        }
    }
}
