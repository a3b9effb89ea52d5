package dev.fedexlora.train.training;

import ai.djl.Device;
import dev.fedexlora.core.aggregate.BaseWeights;
import dev.fedexlora.core.aggregate.Residual;
import dev.fedexlora.core.aggregate.Residuals;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.train.checkpoint.HfCheckpoint;
import dev.fedexlora.train.data.Example;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.model.TextEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One client's task from the global state to its trained adapter: the base checkpoint, the residual of every
 * version since the base folded into its weights (each in one matrix product), the current adapter and head
 * (or a fresh initialisation from the job's seed in round 1), local training, and the result written in PEFT
 * layout ({@code adapter_config.json}, {@code adapter_model.safetensors} with the head as
 * {@code base_model.model.classifier.*}).
 */
public final class TaskTrainer {

    /**
     * @param lora      where LoRA goes and its rank and alpha
     * @param training  the local hyper-parameters; its seed orders batches and dropout for this client
     * @param numLabels classes of the head
     * @param initSeed  the job's seed: every client draws the same initial adapters and head from it
     * @param baseModel recorded as {@code base_model_name_or_path}
     */
    public record Spec(LoraSettings lora, TrainingConfig training, int numLabels, long initSeed, String baseModel) {
    }

    private TaskTrainer() {
    }

    /**
     * @param baseDir       a Hugging Face checkpoint directory
     * @param residualFiles {@code residual.safetensors} of each version after the base, oldest first
     * @param startAdapter  a PEFT directory with the current global adapter and head, or null for round 1
     * @param outDir        where the trained adapter is written (created)
     */
    public static TrainingReport run(Path baseDir, List<Path> residualFiles, Path startAdapter, List<Example> train,
                                     List<Example> heldOut, Spec spec, Device device, ProgressListener listener,
                                     Path outDir) throws IOException {
        return run(withResiduals(HfCheckpoint.load(baseDir), residualFiles), startAdapter, train, heldOut, spec,
                device, listener, outDir, null);
    }

    /**
     * As above, from a checkpoint that already holds every residual since the base (a worker keeps it in memory
     * between tasks), with the frozen layers' outputs taken from {@code cache} when it is given.
     */
    public static TrainingReport run(HfCheckpoint checkpoint, Path startAdapter, List<Example> train,
                                     List<Example> heldOut, Spec spec, Device device, ProgressListener listener,
                                     Path outDir, FrozenFeatureCache cache) throws IOException {
        LoraAdapter start = startAdapter == null ? null : PeftAdapters.read(startAdapter);
        try (TextEncoder encoder = new TextEncoder(checkpoint.tokenizer(), spec.training().maxLength(),
                checkpoint.config().padTokenId());
             BertClassifier model = BertClassifier.create(device, checkpoint, spec.lora(), spec.numLabels(), start,
                     spec.initSeed())) {
            TrainingReport report = LocalTrainer.train(model, encoder, train, heldOut, spec.training(), listener,
                    cache);
            PeftAdapters.write(outDir, model.toAdapter(spec.baseModel()));
            return report;
        }
    }

    /** The checkpoint with each residual file added to its layers' weights, in order. */
    public static HfCheckpoint withResiduals(HfCheckpoint checkpoint, List<Path> residualFiles) throws IOException {
        for (Path file : residualFiles) {
            checkpoint = withResidual(checkpoint, Residuals.read(file), file.toString());
        }
        return checkpoint;
    }

    /**
     * The checkpoint with one version's residuals added to its layers' weights (one product each); {@code source}
     * names them when they do not fit.
     */
    public static HfCheckpoint withResidual(HfCheckpoint checkpoint, Map<String, Residual> residuals, String source)
            throws IOException {
        try {
            return checkpoint.withWeights(
                    BaseWeights.applyInFp32(new TensorFile(checkpoint.weights()), residuals, false).tensors());
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            throw new IOException(source + ": does not fit the base checkpoint: " + e.getMessage(), e);
        }
    }
}
