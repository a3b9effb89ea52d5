package dev.fedexlora.cli.lm;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.PeftAdapters;
import dev.fedexlora.train.decoder.CausalLm;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code ./fedex lm}: the decoder commands. */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Decoder LLMs (Hugging Face llama, mistral, qwen2) with LoRA: logits, generate, train, init.",
        subcommands = {LogitsCommand.class, GenerateCommand.class, LmTrainCommand.class, InitCommand.class})
public final class LmCommand {

    /** The GPU when the engine sees one (frozen base in fp16 there), the CPU otherwise. */
    static Device device() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** The checkpoint's model, with the adapter in {@code adapterDir} when given. */
    static CausalLm open(DecoderCheckpoint checkpoint, Path adapterDir) throws IOException {
        if (adapterDir == null) {
            return CausalLm.create(device(), checkpoint, null, null, 0);
        }
        LoraAdapter adapter = PeftAdapters.read(adapterDir);
        try {
            return CausalLm.create(device(), checkpoint, CausalLm.settingsOf(adapter), adapter, 0);
        } catch (IllegalArgumentException e) {
            throw new IOException(adapterDir + ": " + e.getMessage(), e);
        }
    }
}
