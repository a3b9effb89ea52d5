package dev.fedexlora.cli.lm;

import dev.fedexlora.cli.train.Engines;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import dev.fedexlora.train.model.LoraSettings;
import dev.fedexlora.train.training.ProgressListener;
import dev.fedexlora.train.training.TrainingConfig;
import dev.fedexlora.train.training.TrainingReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fedex lm train}: one client's local LoRA training of a decoder, written as a PEFT adapter. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train LoRA on a decoder locally and write a PEFT causal-LM adapter.",
                "Data: JSONL lines {\"prompt\": ..., \"response\": ...} (loss on the response, EOS appended) or {\"text\": ...}."})
final class LmTrainCommand implements Callable<Integer> {

    static final List<String> PROJECTIONS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A Hugging Face llama/mistral/qwen2 directory with tokenizer.json.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Training data.")
    Path data;

    @Option(names = "--eval-data", paramLabel = "FILE.jsonl", description = "Held-out data: loss, perplexity, next-token accuracy, and exact match of prompt/response pairs.")
    Path evalData;

    @Option(names = "--adapter", paramLabel = "DIR", description = "Continue from this PEFT adapter instead of a fresh one.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the adapter is written (PEFT layout).")
    Path out;

    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--lora-alpha", defaultValue = "16", paramLabel = "A", description = "lora_alpha (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--rslora", description = "Rank-stabilised scale alpha/sqrt(r).")
    boolean rslora;

    @Option(names = "--targets", split = ",", defaultValue = "q_proj,v_proj", paramLabel = "M",
            description = "Projections to adapt, of q_proj k_proj v_proj o_proj gate_proj up_proj down_proj (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--ffa", description = "FFA-LoRA: A frozen at its initialisation, only B trains.")
    boolean ffa;

    @Option(names = "--lr", defaultValue = "2e-4", paramLabel = "LR", description = "Peak learning rate of AdamW (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-size", defaultValue = "4", paramLabel = "B", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "K", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--steps", defaultValue = "0", paramLabel = "S", description = "Optimizer steps (0: --epochs decides).")
    int steps;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "E", description = "Passes over the data when --steps is 0 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--warmup", defaultValue = "0.06", paramLabel = "F", description = "Warmup share of the steps (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "N", description = "Gradient clipping norm, 0 for none (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--max-length", defaultValue = "256", paramLabel = "T", description = "Tokens per sequence, longer ones truncated (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", description = "Initialisation and batch-order seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "libtorch threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        for (String t : targets) {
            if (!PROJECTIONS.contains(t)) {
                throw new IllegalArgumentException("--targets: '" + t + "' is not one of " + PROJECTIONS);
            }
        }
        TrainingConfig config = new TrainingConfig(lr, batchSize, steps, epochs, warmup, weightDecay, maxGradNorm,
                maxLength, seed);
        Engines.useThreads(threads);
        DecoderCheckpoint checkpoint = DecoderCheckpoint.load(model);
        List<LmData.Example> train = LmData.read(data);
        List<LmData.Example> held = evalData == null ? List.of() : LmData.read(evalData);
        if (train.isEmpty()) {
            throw new IllegalArgumentException(data + ": holds no examples");
        }
        long pad = Math.max(0, checkpoint.config().padTokenId());
        LoraSettings lora = new LoraSettings(rank, alpha, rslora, targets, ffa);
        PrintWriter o = spec.commandLine().getOut();
        try (LmData.Tokens tokens = LmData.Tokens.of(checkpoint, maxLength);
             CausalLm lm = CausalLm.create(LmCommand.device(), checkpoint, lora,
                     adapter == null ? null : PeftAdapters.read(adapter), seed)) {
            List<LmData.Sequence> trainSeqs = tokens.sequences(train);
            List<LmData.Sequence> heldSeqs = tokens.sequences(held);
            ProgressListener progress = (step, total, loss, rate) -> {
                if (step == total || step % Math.max(1, total / 10) == 0) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "step %d/%d loss %.4f lr %.2e%n", step, total,
                            loss, rate);
                }
            };
            TrainingReport report = LmTrainer.train(lm, trainSeqs, heldSeqs, config, accumulation, pad, progress);
            PeftAdapters.write(out, lm.toAdapter(model.toString()));
            o.printf(Locale.ROOT, "trained %d steps on %d examples: train loss %.4f (last %.4f), %.0f tokens/s%n",
                    report.steps(), report.examples(), report.trainLoss(), report.finalLoss(), report.tokensPerSecond());
            if (!held.isEmpty()) {
                LmTrainer.LmEvaluation e = LmTrainer.evaluate(lm, heldSeqs, batchSize, pad);
                o.printf(Locale.ROOT, "held-out: loss %.4f, perplexity %.2f, next-token accuracy %.4f over %d tokens%n",
                        e.loss(), e.perplexity(), e.tokenAccuracy(), e.tokens());
                if (held.stream().anyMatch(LmData.Example::isPair)) {
                    o.printf(Locale.ROOT, "exact match of greedy responses: %.4f%n",
                            LmTrainer.exactMatch(lm, tokens, held, checkpoint.config().eosTokenIds()));
                }
            }
            o.println("adapter written to " + out);
        }
        o.flush();
        return 0;
    }
}
