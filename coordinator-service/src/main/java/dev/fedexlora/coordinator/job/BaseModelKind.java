package dev.fedexlora.coordinator.job;

import java.util.List;
import java.util.Locale;

/**
 * Whether a registered base model is a decoder LLM, from the architecture the registry read from its
 * {@code config.json} ({@code architectures[0]}, else {@code model_type}): {@code *ForCausalLM} or one of the decoder
 * families the workers run. Everything else (BERT, RoBERTa, …) is an encoder.
 */
final class BaseModelKind {

    static final List<String> DECODERS = List.of("llama", "mistral", "qwen2");

    private BaseModelKind() {
    }

    static boolean isDecoder(String architecture) {
        if (architecture == null) {
            return false;
        }
        String a = architecture.toLowerCase(Locale.ROOT);
        return a.endsWith("forcausallm") || DECODERS.contains(a);
    }
}
