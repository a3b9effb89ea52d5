package dev.fedexlora.cli.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.fedexlora.cli.train.Engines;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fedex lm logits}: one F32 tensor {@code logits} [tokens, vocab_size], the import's parity tool. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of a token sequence as one F32 safetensors tensor 'logits' [tokens, vocab_size].")
final class LogitsCommand implements Callable<Integer> {

    static final int MAX_TOKENS = 8192;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A Hugging Face llama/mistral/qwen2 directory.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter directory to apply.")
    Path adapter;

    @Option(names = "--tokens", required = true, paramLabel = "IDS", description = "Comma-separated token ids, e.g. 1,2,3.")
    String tokens;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Where to write the logits.")
    Path out;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "libtorch threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        Engines.useThreads(threads);
        DecoderCheckpoint checkpoint = DecoderCheckpoint.load(model);
        long[] ids = parseTokens(tokens, checkpoint.config().vocabSize());
        int vocab = checkpoint.config().vocabSize();
        float[] values;
        try (CausalLm lm = LmCommand.open(checkpoint, adapter)) {
            NDArray logits = lm.logits(lm.manager().create(ids, new Shape(1, ids.length)), null, null);
            values = logits.toFloatArray();
            logits.close();
        }
        SafeTensors.write(out, new TensorFile(Map.of("format", "pt"),
                Map.of("logits", Tensor.ofFloats(values, ids.length, vocab))));
        spec.commandLine().getOut().printf("logits [%d, %d] written to %s%n", ids.length, vocab, out);
        return 0;
    }

    static long[] parseTokens(String text, int vocabSize) {
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_TOKENS) {
            throw new IllegalArgumentException("--tokens: " + parts.length + " ids, at most " + MAX_TOKENS);
        }
        long[] ids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tokens: '" + parts[i].trim() + "' (position " + (i + 1)
                        + ") is not a token id");
            }
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new IllegalArgumentException("--tokens: id " + ids[i] + " (position " + (i + 1)
                        + ") is outside vocab_size " + vocabSize);
            }
        }
        return ids;
    }
}
