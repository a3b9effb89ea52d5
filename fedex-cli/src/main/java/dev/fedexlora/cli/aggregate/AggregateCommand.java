package dev.fedexlora.cli.aggregate;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.aggregate.AggregationResult;
import dev.fedexlora.core.aggregate.Aggregator;
import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.LayerReport;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.TensorFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./fedex aggregate}: one round of aggregation over PEFT adapter directories, offline. Everything is read
 * and checked before anything is written, so a refused input leaves the output directory untouched.
 */
@Command(name = "aggregate", mixinStandardHelpOptions = true,
        description = {"Aggregate LoRA adapters (Hugging Face PEFT layout) exactly with FedEx-LoRA, or with FedIT or FFA.",
                "Writes base.safetensors, residual.safetensors, adapter_model.safetensors, adapter_config.json and report.json into --out."})
public final class AggregateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--method", defaultValue = "fedex", paramLabel = "fedex|fedit|ffa",
            description = "Aggregation method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--weights", split = ",", paramLabel = "W", description = "One weight per client, e.g. 0.5,0.3,0.2 (normalised; uniform when left out).")
    double[] weights;

    @Option(names = "--base", required = true, paramLabel = "BASE.safetensors", description = "The base weights the adapters were trained on.")
    Path base;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path out;

    @Option(names = "--estimate-norms", description = "Estimate the deviation s||R|| and the update norms from the "
            + "exactness probes instead of exact Gram matrices (much faster for LLM-sized layers and many clients).")
    boolean estimateNorms;

    @Parameters(arity = "1..*", paramLabel = "CLIENT_DIR", description = "One PEFT adapter directory per client.")
    List<Path> clients;

    @Override
    public Integer call() throws Exception {
        AggregationMethod m;
        try {
            m = AggregationMethod.valueOf(method.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--method must be fedex, fedit or ffa, not '" + method + "'");
        }
        List<LoraAdapter> adapters = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path dir : clients) {
            adapters.add(PeftAdapters.read(dir));
            names.add(dir.toString());
        }
        TensorFile baseFile = SafeTensors.read(base);
        long start = System.nanoTime();
        AggregationResult result = Aggregator.aggregate(m, adapters, weights, names, !estimateNorms);
        double seconds = (System.nanoTime() - start) / 1e9;
        boolean fanInFanOut = result.global().config().fanInFanOut();
        Map<String, String> baseKeys = new LinkedHashMap<>();
        for (String module : result.global().layers().keySet()) {
            baseKeys.put(module, BaseWeights.weightKey(baseFile.tensors(), module));
        }
        TensorFile newBase = BaseWeights.apply(baseFile, result.residuals(), fanInFanOut);

        Files.createDirectories(out);
        SafeTensors.write(out.resolve("base.safetensors"), newBase);
        Residuals.write(out.resolve(Residuals.FILE), result.residuals());
        PeftAdapters.write(out, result.global());
        Report report = Report.of(result, names, baseKeys, seconds);
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValue(out.resolve("report.json").toFile(), report);
        print(spec.commandLine().getOut(), report);
        return 0;
    }

    private static void print(PrintWriter w, Report r) {
        w.printf(Locale.ROOT, "%s over %d clients in %.3f s; max exactness error %.2e; residuals %s%n",
                r.method(), r.clients().size(), r.seconds(), r.maxExactnessError(), Report.bytes(r.residualBytes()));
        w.printf(Locale.ROOT, "%-56s %9s %5s %6s %7s %10s %10s%n", "layer", "d x k", "rank", "width", "form", "exactness", "deviation");
        for (LayerReport l : r.layers()) {
            w.printf(Locale.ROOT, "%-56s %9s %5d %6d %7s %10.2e %10.3e%n", shorten(l.module()), l.outFeatures() + "x" + l.inFeatures(),
                    l.rank(), l.residualWidth(), l.residualWidth() == 0 ? "-" : l.dense() ? "dense" : "U·V",
                    l.exactnessError(), l.deviation());
        }
        w.flush();
    }

    private static String shorten(String module) {
        return module.length() <= 56 ? module : "…" + module.substring(module.length() - 55);
    }

    /** What {@code report.json} holds. */
    record Report(String method, List<Client> clients, double seconds, double maxExactnessError, double maxDeviation,
                  long residualBytes, Map<String, String> baseKeys, List<LayerReport> layers) {

        record Client(String adapter, double weight) {
        }

        static Report of(AggregationResult r, List<String> names, Map<String, String> baseKeys, double seconds) {
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                clients.add(new Client(names.get(i), r.weights()[i]));
            }
            return new Report(r.method().name(), clients, seconds, r.maxExactnessError(), r.maxDeviation(),
                    r.residualBytes(), baseKeys, r.layers());
        }

        static String bytes(long b) {
            return b < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", b / 1024.0)
                    : String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        }
    }
}
