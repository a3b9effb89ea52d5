package dev.fedexlora.cli.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The studies {@code ./fedex experiment --preset NAME} runs in-process ({@link Simulation}), each a protocol and the
 * settings it visits. Every preset runs on the WordNet sample and, with {@code --replicate}, on the fortunes sample
 * too, with the same protocol.
 *
 * @param name       the preset's name
 * @param targets    the modules LoRA adapts
 * @param cache      train the adapted layers from the cached output of the frozen layers below them (no dropout in
 *                   the frozen layers), as workers do with {@code fedex.worker.cache-frozen-layers}
 * @param rounds     rounds per job
 * @param batchSize  local batch size
 * @param maxLength  tokens per sequence
 * @param seeds      seeds of split, initialisation and batch order
 * @param points     the settings
 * @param task       what is fine-tuned: the encoder classifier, or a decoder's causal LM on prompt/response pairs
 */
record Preset(String name, List<String> targets, boolean cache, int rounds, int batchSize, int maxLength,
              List<Long> seeds, List<Point> points, Task task) {

    /** What a study fine-tunes ({@code ./fedex experiment --task}). */
    enum Task {
        CLASSIFICATION("classification"), CAUSAL_LM("causal-lm");

        final String option;

        Task(String option) {
            this.option = option;
        }

        static Task parse(String s) {
            for (Task t : values()) {
                if (t.option.equals(s)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("--task must be classification or causal-lm, got '" + s + "'");
        }
    }

    /** A classification preset. */
    Preset(String name, List<String> targets, boolean cache, int rounds, int batchSize, int maxLength, List<Long> seeds,
           List<Point> points) {
        this(name, targets, cache, rounds, batchSize, maxLength, seeds, points, Task.CLASSIFICATION);
    }

    static final List<String> EVERY_LAYER = List.of("query", "value");
    static final List<String> TOP_LAYER = List.of("layer.5.attention.self.query", "layer.5.attention.self.value");
    static final List<String> FEDERATED = List.of("FEDEX", "FEDIT", "FFA");
    static final List<String> MAIN = List.of("FEDEX", "FEDIT", "FFA", "CENTRALIZED");
    static final List<String> PAIR = List.of("FEDEX", "FEDIT");
    /** Every linear projection of a Llama-family decoder layer. */
    static final List<String> DECODER_PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    /**
     * One setting.
     *
     * @param factor     what the setting varies ("base" for the base setting)
     * @param alpha      Dirichlet concentration of the split
     * @param clients    clients
     * @param rank       LoRA rank
     * @param localSteps steps per client per round (CENTRALIZED: clients × local steps per round)
     * @param lrScale    multiplies each method's chosen learning rate
     * @param methods    the methods run
     */
    record Point(String factor, double alpha, int clients, int rank, int localSteps, double lrScale,
                 List<String> methods) {

        String label() {
            return String.format(Locale.ROOT, "a%s-n%d-r%d-k%d-lr%s", Run.alphaLabel(alpha), clients, rank, localSteps,
                    lrScale == 1 ? "1" : Double.toString(lrScale));
        }
    }

    /**
     * The learning rates the search ({@code --preset lr}) starts from for each method, on the validation split; it
     * goes on in half-decade steps past whichever end of the grid wins, within {@link #LR_MIN} and {@link #LR_MAX}.
     */
    static final List<Double> LR_GRID = List.of(1e-3, 3e-3, 1e-2);
    static final double LR_MIN = 1e-4;
    static final double LR_MAX = 3e-1;

    /** The learning-rate search whose choice this preset uses: one with the same adapted layers. */
    String searchedBy() {
        return targets.equals(EVERY_LAYER) ? "lr-paper" : "lr";
    }

    Preset withSeeds(List<Long> other) {
        return new Preset(name, targets, cache, rounds, batchSize, maxLength, List.copyOf(other), points, task);
    }

    static Preset named(String name) {
        return switch (name) {
            // The learning-rate search: every method on the base setting from LR_GRID outwards, validation split.
            case "lr" -> new Preset(name, TOP_LAYER, true, 5, 8, 32, List.of(1L),
                    List.of(new Point("base", 0.1, 5, 4, 20, 1, MAIN)));
            // The same search for LoRA on every layer (the paper preset), over 3 rounds: rates the top layer takes
            // make every-layer LoRA diverge.
            case "lr-paper" -> new Preset(name, EVERY_LAYER, false, 3, 8, 32, List.of(1L),
                    List.of(new Point("base", 0.1, 5, 4, 20, 1, MAIN)));
            // The paper's setting: LoRA on every layer's query and value, for more rounds than the other presets.
            case "paper" -> new Preset(name, EVERY_LAYER, false, 10, 8, 32, List.of(1L, 2L),
                    List.of(new Point("base", 0.1, 5, 4, 20, 1, MAIN)));
            // Where the gap lives: one factor at a time around the base setting, top layer from the cache.
            case "sweep" -> new Preset(name, TOP_LAYER, true, 5, 8, 32, List.of(1L, 2L, 3L, 4L, 5L), sweepPoints());
            // The affordable replication: FEDEX against FEDIT on the base setting, as many seeds as the budget allows.
            case "replicate" -> new Preset(name, TOP_LAYER, true, 4, 8, 32, List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L),
                    List.of(new Point("base", 0.1, 5, 4, 20, 1, PAIR)));
            // The small check that the in-process path reproduces the platform's (see ExperimentCommand).
            case "validate" -> new Preset(name, TOP_LAYER, true, 5, 16, 64, List.of(1L),
                    List.of(new Point("base", 0.1, 3, 4, 10, 1, FEDERATED)));
            // The causal-LM study (--task causal-lm): LoRA on every projection of a small pretrained decoder.
            // Sized for a shared 2-core machine: 2 rounds of 5 local steps, the base split with every method and
            // a milder split (α = 1) with FEDEX and FEDIT.
            case "causal-lm" -> new Preset(name, DECODER_PROJECTIONS, false, 2, 8, 64, List.of(1L, 2L, 3L),
                    List.of(new Point("base", 0.1, 3, 4, 5, 1, MAIN), new Point("alpha", 1, 3, 4, 5, 1, PAIR)),
                    Task.CAUSAL_LM);
            default -> throw new IllegalArgumentException("unknown preset '" + name
                    + "': use lr, lr-paper, paper, sweep, replicate, validate or causal-lm");
        };
    }

    private static List<Point> sweepPoints() {
        List<Point> p = new ArrayList<>();
        p.add(new Point("base", 0.1, 5, 4, 20, 1, MAIN));
        p.add(new Point("local steps", 0.1, 5, 4, 5, 1, PAIR));
        p.add(new Point("local steps", 0.1, 5, 4, 60, 1, PAIR));
        p.add(new Point("clients", 0.1, 2, 4, 20, 1, PAIR));
        p.add(new Point("clients", 0.1, 10, 4, 20, 1, PAIR));
        p.add(new Point("alpha", 1, 5, 4, 20, 1, PAIR));
        p.add(new Point("alpha", 100, 5, 4, 20, 1, MAIN));
        p.add(new Point("rank", 0.1, 5, 1, 20, 1, PAIR));
        p.add(new Point("rank", 0.1, 5, 16, 20, 1, PAIR));
        p.add(new Point("learning rate", 0.1, 5, 4, 20, 0.3, PAIR));
        p.add(new Point("learning rate", 0.1, 5, 4, 20, 3, PAIR));
        return p;
    }
}
