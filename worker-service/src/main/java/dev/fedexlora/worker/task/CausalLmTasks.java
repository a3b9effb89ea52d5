package dev.fedexlora.worker.task;

import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.core.protocol.TaskLease;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.model.BertClassifier;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import dev.fedexlora.worker.WorkerProperties;
import dev.fedexlora.worker.client.LocalClients;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The CAUSAL_LM side of a task: the decoder base (cached once on disk and in memory), the version chain's residuals
 * folded into it across every adapted projection (q/k/v/o/gate/up/down) by the same lora-core path as the encoder's
 * ({@link DecoderCheckpoint#withResiduals}, i.e. {@code BaseWeights}), local LoRA training on the client's
 * prompt/response or text lines, and the PEFT causal-LM adapter written to {@code out}. Held-out metrics: {@code loss}
 * and {@code perplexity} per counted token, {@code tokenAccuracy} of the next-token argmax, and {@code exactMatch} of
 * greedy answers where the held-out lines are prompt/response pairs.
 */
@Component
class CausalLmTasks {

    private final BaseModelCache cache;
    private final FoldedCheckpoints folded;
    private final Transfers transfers;
    private final WorkerProperties properties;

    CausalLmTasks(BaseModelCache cache, FoldedCheckpoints folded, Transfers transfers, WorkerProperties properties) {
        this.cache = cache;
        this.folded = folded;
        this.transfers = transfers;
        this.properties = properties;
    }

    /** What training produced: the adapter in {@code out}, the metrics and the training examples used. */
    record Result(Map<String, Object> metrics, long examples) {
    }

    Result train(TaskLease lease, LocalClients.LmSplit data, List<TaskLease.ResidualRef> refs, Path start,
                 Path taskDir, ProgressListener listener, Path out) throws IOException {
        TaskLease.GlobalState state = lease.globalState();
        DecoderCheckpoint checkpoint = ResidualChain.fold(folded, transfers, BaseModelCache.key(state.base()),
                cache.loadDecoder(state.base()), refs, taskDir, (c, file) -> c.withResiduals(List.of(file)));

        TaskLease.Training t = lease.training();
        LoraSettings lora = new LoraSettings(t.rank(), t.alpha(), t.useRslora(), t.targetModules(),
                t.method() == Method.FFA);
        int maxLength = t.maxSequenceLength() != null && t.maxSequenceLength() > 0 ? t.maxSequenceLength()
                : properties.maxLength();
        // As for the encoder: the job's seed initialises the adapters (identical on every client, so FFA's frozen A
        // is shared); batch order gets a stream per client and round.
        long clientSeed = t.seed() * 1_000_003L + lease.clientId().hashCode() * 31L + lease.round();
        TrainingConfig config = new TrainingConfig(t.learningRate(), t.batchSize(), Math.max(0, t.localSteps()),
                t.localSteps() > 0 ? 0 : 1, 0.06, 0.0, 1.0, maxLength, clientSeed);
        long pad = Math.max(0, checkpoint.config().padTokenId());
        try (LmData.Tokens tokens = LmData.Tokens.of(checkpoint, maxLength);
             CausalLm lm = CausalLm.create(BertClassifier.preferredDevice(), checkpoint, lora,
                     start == null ? null : PeftAdapters.read(start), t.seed())) {
            List<LmData.Sequence> train = tokens.sequences(data.train());
            List<LmData.Sequence> heldOut = tokens.sequences(data.heldOut());
            TrainingReport report = LmTrainer.train(lm, train, heldOut, config, 1, pad, listener);
            String baseName = state.baseModel() == null ? "base" : state.baseModel().name();
            PeftAdapters.write(out, lm.toAdapter(baseName));
            Map<String, Object> metrics = new LinkedHashMap<>(report.metrics());
            metrics.remove("evalAccuracy");
            double evalLoss = report.eval().loss();
            if (Double.isFinite(evalLoss)) {
                metrics.put("loss", evalLoss);
                metrics.put("perplexity", Math.exp(evalLoss));
                metrics.put("tokenAccuracy", report.eval().accuracy());
            }
            List<LmData.Example> pairs = new ArrayList<>();
            for (LmData.Example e : data.heldOut()) {
                if (e.isPair() && pairs.size() < properties.exactMatchLimit()) {
                    pairs.add(e);
                }
            }
            if (!pairs.isEmpty()) {
                metrics.put("exactMatch", LmTrainer.exactMatch(lm, tokens, pairs,
                        checkpoint.config().eosTokenIds()));
                metrics.put("exactMatchExamples", pairs.size());
            }
            return new Result(metrics, report.examples());
        }
    }
}
