package dev.fedexlora.cli.lm;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.RandomDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fedex lm init}: a random checkpoint of a family in exactly the Hugging Face layout. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Write a randomly initialised llama/mistral/qwen2 checkpoint in the Hugging Face layout.")
final class InitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--family", required = true, paramLabel = "llama|mistral|qwen2", description = "model_type.")
    String family;

    @Option(names = "--tokenizer", paramLabel = "tokenizer.json", description = "Copied beside the weights; vocab_size defaults to its size.")
    Path tokenizer;

    @Option(names = "--vocab", paramLabel = "V", description = "vocab_size (default: the tokenizer's size, else 32000).")
    Integer vocab;

    @Option(names = "--layers", defaultValue = "2", paramLabel = "N", description = "num_hidden_layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", defaultValue = "256", paramLabel = "H", description = "hidden_size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--intermediate", paramLabel = "I", description = "intermediate_size (default: 8/3 of --hidden, a multiple of 32).")
    Integer intermediate;

    @Option(names = "--heads", defaultValue = "4", paramLabel = "N", description = "num_attention_heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "num_key_value_heads (default: --heads).")
    Integer kvHeads;

    @Option(names = "--rope-theta", defaultValue = "10000", paramLabel = "T", description = "rope_theta (default: ${DEFAULT-VALUE}).")
    double ropeTheta;

    @Option(names = "--llama3-rope", description = "rope_scaling {rope_type: llama3, factor 8, low 1, high 4, original 8192}.")
    boolean llama3Rope;

    @Option(names = "--max-positions", defaultValue = "4096", paramLabel = "N", description = "max_position_embeddings (default: ${DEFAULT-VALUE}).")
    int maxPositions;

    @Option(names = "--tied", description = "tie_word_embeddings: no separate lm_head.")
    boolean tied;

    @Option(names = "--dtype", defaultValue = "BF16", paramLabel = "F32|F16|BF16", description = "Tensor dtype in the files (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--shards", defaultValue = "1", paramLabel = "N", description = "1: model.safetensors; more: shards with model.safetensors.index.json.")
    int shards;

    @Option(names = "--std", defaultValue = "0.02", paramLabel = "S", description = "Standard deviation of the weights (default: ${DEFAULT-VALUE}).")
    double std;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The checkpoint directory to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!DecoderConfig.FAMILIES.contains(family)) {
            throw new IllegalArgumentException("--family must be llama, mistral or qwen2, got " + family);
        }
        if (heads <= 0 || hidden % heads != 0) {
            throw new IllegalArgumentException("--hidden " + hidden + " must be a positive multiple of --heads " + heads);
        }
        int v = vocab != null ? vocab : tokenizer != null ? DecoderCheckpoint.vocabularySize(tokenizer) : 32000;
        int inter = intermediate != null ? intermediate : Math.max(32, (hidden * 8 / 3 + 31) / 32 * 32);
        DecoderConfig.RopeScaling scaling = llama3Rope ? new DecoderConfig.RopeScaling(8, 1, 4, 8192) : null;
        int bos = Math.min(1, v - 1);
        int eos = Math.min(2, v - 1);
        if (tokenizer != null) {
            bos = DecoderCheckpoint.specialTokenId(tokenizer, "<s>", "<|begin_of_text|>");
            eos = DecoderCheckpoint.specialTokenId(tokenizer, "</s>", "<|end_of_text|>", "<|endoftext|>");
        }
        DecoderConfig config = new DecoderConfig(family, v, hidden, inter, layers, heads,
                kvHeads == null ? heads : kvHeads, hidden / heads, 1e-5, ropeTheta, scaling, maxPositions, tied,
                false, 0, bos, eos < 0 ? List.of() : List.of(eos), -1);
        RandomDecoder.write(out, config, dtype, shards, std, seed, tokenizer);
        spec.commandLine().getOut().printf("%s checkpoint (%d layers, hidden %d, vocab %d, %s, %d file%s) written to %s%n",
                family, layers, hidden, v, dtype, shards, shards == 1 ? "" : "s", out);
        return 0;
    }
}
