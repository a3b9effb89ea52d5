package dev.fedexlora.cli.lm;

import dev.fedexlora.cli.train.Engines;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.LmData;
import dev.fedexlora.train.decoder.LmTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fedex lm generate}: greedy decoding with a key/value cache. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Greedy generation (KV cache) from a prompt; stops at an eos_token_id or --max-new-tokens.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A Hugging Face llama/mistral/qwen2 directory with tokenizer.json.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter directory to apply.")
    Path adapter;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "N", description = "At most this many new tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "libtorch threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (maxNewTokens < 1 || maxNewTokens > 8192) {
            throw new IllegalArgumentException("--max-new-tokens must be 1..8192, got " + maxNewTokens);
        }
        Engines.useThreads(threads);
        DecoderCheckpoint checkpoint = DecoderCheckpoint.load(model);
        PrintWriter out = spec.commandLine().getOut();
        try (LmData.Tokens tokens = LmData.Tokens.of(checkpoint, 2 + maxNewTokens);
             CausalLm lm = LmCommand.open(checkpoint, adapter)) {
            long[] ids = tokens.prompt(prompt);
            long start = System.nanoTime();
            long[] generated = LmTrainer.generate(lm, ids, maxNewTokens, checkpoint.config().eosTokenIds());
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println(tokens.decode(generated));
            spec.commandLine().getErr().printf(Locale.ROOT, "%d prompt tokens, %d new tokens in %.2f s (%.1f tokens/s)%n",
                    ids.length, generated.length, seconds, generated.length / seconds);
        }
        out.flush();
        return 0;
    }
}
