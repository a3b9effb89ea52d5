package dev.fedexlora.cli.experiment;

import ai.djl.Device;
import dev.fedexlora.cli.platform.PlatformClient;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import dev.fedexlora.train.training.Evaluation;
import dev.fedexlora.train.training.FrozenFeatureCache;
import dev.fedexlora.train.training.LocalTrainer;
import dev.fedexlora.train.training.TaskTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the global model of each round on one test set that no client holds. A round's model is what the
 * registry stores for its version: the base checkpoint (version 0) with the residual of every version of the job up
 * to it folded in, plus that version's adapter and head. Everything is fetched from the registry and checked
 * against its SHA-256, so the figures are those of the versions users download.
 */
final class GlobalEvaluator implements AutoCloseable {

    private static final List<String> BASE_FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private final PlatformClient client;
    private final String model;
    private final HfCheckpoint base;
    private final TextEncoder encoder;
    private final List<Example> test;
    private final FrozenFeatureCache cache = new FrozenFeatureCache(1L << 30);

    GlobalEvaluator(PlatformClient client, String model, Path dir, List<Example> test, int maxLength)
            throws IOException {
        this.client = client;
        this.model = model;
        this.test = List.copyOf(test);
        Files.createDirectories(dir);
        for (String file : BASE_FILES) {
            Files.write(dir.resolve(file), client.artifact(model, "0", file));
        }
        this.base = HfCheckpoint.load(dir);
        this.encoder = new TextEncoder(base.tokenizer(), maxLength, base.config().padTokenId());
    }

    /** One round's global model on the test set, and what the round's version stores. */
    record RoundModel(int round, int version, double accuracy, double loss, long residualBytes, long adapterBytes,
                      byte[] report) {
    }

    /**
     * Evaluates the versions of one job, in round order ({@code versions.get(i)} is round i+1's version; each one's
     * parent is the previous one, the first one's is the base).
     */
    List<RoundModel> evaluate(List<Integer> versions) throws IOException {
        HfCheckpoint checkpoint = base;
        List<RoundModel> out = new ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            String v = Integer.toString(versions.get(i));
            List<String> files = new ArrayList<>();
            client.version(model, v).path("artifacts").forEach(a -> files.add(a.path("file").asString()));
            long residualBytes = 0;
            if (files.contains(Residuals.FILE)) {
                byte[] residual = client.artifact(model, v, Residuals.FILE);
                residualBytes = residual.length;
                checkpoint = TaskTrainer.withResidual(checkpoint, Residuals.fromTensorFile(
                        SafeTensors.read(residual, Residuals.FILE + " of version " + v), "version " + v),
                        Residuals.FILE + " of version " + v);
            }
            byte[] config = client.artifact(model, v, PeftAdapters.CONFIG_FILE);
            byte[] adapterWeights = client.artifact(model, v, PeftAdapters.WEIGHTS_FILE);
            byte[] report = files.contains("report.json") ? client.artifact(model, v, "report.json") : new byte[0];
            LoraAdapter adapter = PeftAdapters.fromParts(new String(config, StandardCharsets.UTF_8),
                    SafeTensors.read(adapterWeights, "adapter of version " + v), "version " + v);
            Evaluation e = evaluate(checkpoint, adapter);
            out.add(new RoundModel(i + 1, versions.get(i), e.accuracy(), e.loss(), residualBytes,
                    config.length + adapterWeights.length, report));
        }
        return out;
    }

    private Evaluation evaluate(HfCheckpoint checkpoint, LoraAdapter adapter) {
        AdapterConfig c = adapter.config();
        LoraSettings lora = new LoraSettings(c.r(), c.loraAlpha(), c.useRslora(), c.targetModules(), false);
        int labels = (int) adapter.extras().get(BertClassifier.HEAD + ".weight").shape()[0];
        try (BertClassifier classifier = BertClassifier.create(Device.cpu(), checkpoint, lora, labels, adapter, 0)) {
            return LocalTrainer.evaluate(classifier, encoder, test, 128, cache);
        }
    }

    @Override
    public void close() {
        encoder.close();
    }
}
