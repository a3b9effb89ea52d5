package dev.fedexlora.cli.platform;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Follows a job's event stream and shows its progress on a terminal: a bar per round (tasks done of the round's
 * clients, elapsed time), then one line per aggregated round with its accuracy and loss (a causal-LM job's: loss and
 * perplexity), exactness error and FedIT deviation. Returns the job as the coordinator shows it once it ended.
 */
public final class JobWatcher {

    private static final Set<String> FINAL = Set.of("JobSucceeded", "JobFailed", "JobCancelled");
    private static final int WIDTH = 30;

    private final PlatformClient client;
    private final PrintStream out;
    private final boolean terminal;

    private int rounds;
    private int round;
    private int clients;
    private int done;
    private long roundStarted = System.nanoTime();
    private String lastBar = "";

    /** @param terminal redraw one bar in place ({@code \r}); otherwise print a line per change */
    public JobWatcher(PlatformClient client, PrintStream out, boolean terminal) {
        this.client = client;
        this.out = out;
        this.terminal = terminal;
    }

    public JsonNode watch(String jobId) {
        JsonNode job = client.job(jobId);
        rounds = job.path("rounds").asInt();
        out.printf(Locale.ROOT, "job %s: %s on %s/%s, %d rounds, dataset %s%n", jobId, job.path("method").asString(),
                job.path("baseModel").path("name").asString(), job.path("baseModel").path("version").asString(),
                rounds, job.path("dataset").asString());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        if (terminal) {
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        }
        try {
            client.followEvents(jobId, 0, e -> {
                on(jobId, e);
                return !FINAL.contains(e.type());
            });
        } finally {
            ticker.shutdownNow();
        }
        return client.job(jobId);
    }

    private synchronized void on(String jobId, PlatformClient.Event e) {
        JsonNode d = e.data();
        switch (e.type()) {
            case "RoundOpened" -> {
                round = d.path("round").asInt();
                clients = d.path("clients").size();
                done = 0;
                roundStarted = System.nanoTime();
                if (d.path("attempt").asInt(1) > 1) {
                    line("round " + round + ": attempt " + d.path("attempt").asInt());
                }
                redraw();
            }
            case "TaskCompleted" -> {
                if (d.path("round").asInt() == round) {
                    done++;
                }
                redraw();
            }
            case "TaskFailed" -> line("round " + round + ": task of " + d.path("clientId").asString("?") + " failed: "
                    + d.path("reason").asString("") + " (it is offered again)");
            case "RoundRetried" -> line("round " + d.path("round").asInt() + " retried: " + d.path("reason").asString(""));
            case "RoundAggregated" -> line(roundLine(jobId, d.path("round").asInt()));
            case "JobFailed" -> line("job failed: " + d.path("reason").asString(""));
            case "JobCancelled" -> line("job cancelled");
            default -> { }
        }
    }

    private String roundLine(String jobId, int number) {
        JsonNode r = null;
        for (JsonNode candidate : client.rounds(jobId)) {
            if (candidate.path("number").asInt() == number && candidate.path("state").asString().equals("AGGREGATED")) {
                r = candidate;
            }
        }
        if (r == null) {
            return "round " + number + " aggregated";
        }
        if (!r.path("meanAccuracy").isNumber() && r.path("meanLoss").isNumber()) {
            // A causal-LM round: the clients' held-out loss per response token, and its perplexity.
            return String.format(Locale.ROOT, "round %d/%d: held-out loss %.4f, perplexity %.2f, exactness error %s,"
                            + " FedIT deviation %s, model version %s (%s)", number, rounds, r.path("meanLoss").asDouble(),
                    Math.exp(r.path("meanLoss").asDouble()), num(r, "exactnessError", "%.1e"),
                    num(r, "deviation", "%.3g"), r.path("modelVersion").asString("-"),
                    elapsed(Duration.ofNanos(System.nanoTime() - roundStarted)));
        }
        return String.format(Locale.ROOT, "round %d/%d: accuracy %s, loss %s, exactness error %s, FedIT deviation %s,"
                        + " model version %s (%s)", number, rounds, num(r, "meanAccuracy", "%.4f"),
                num(r, "meanLoss", "%.4f"), num(r, "exactnessError", "%.1e"), num(r, "deviation", "%.3g"),
                r.path("modelVersion").asString("-"), elapsed(Duration.ofNanos(System.nanoTime() - roundStarted)));
    }

    private static String num(JsonNode node, String field, String format) {
        JsonNode v = node.path(field);
        return v.isNumber() ? String.format(Locale.ROOT, format, v.asDouble()) : "-";
    }

    private synchronized void redraw() {
        if (round == 0) {
            return;
        }
        int filled = clients == 0 ? 0 : WIDTH * done / clients;
        String bar = String.format(Locale.ROOT, "round %d/%d [%s%s] %d/%d clients trained", round, rounds,
                "#".repeat(filled), "-".repeat(WIDTH - filled), done, clients);
        if (terminal) {
            out.print("\r" + bar + "  " + elapsed(Duration.ofNanos(System.nanoTime() - roundStarted)) + "   ");
            out.flush();
        } else if (!bar.equals(lastBar)) {
            out.println(bar);
        }
        lastBar = bar;
    }

    private void line(String text) {
        if (terminal) {
            out.print("\r" + " ".repeat(WIDTH + 60) + "\r");
        }
        out.println(text);
        out.flush();
    }

    static String elapsed(Duration d) {
        return String.format(Locale.ROOT, "%02d:%02d", d.toMinutes(), d.toSecondsPart());
    }
}
