package dev.fedexlora.registry.model;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.train.decoder.DecoderConfig;
import dev.fedexlora.train.decoder.RandomDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/** Small random Llama checkpoints in the Hugging Face sharded layout, and ways to damage them. */
public final class DecoderCheckpoints {

    public static final DecoderConfig LLAMA = new DecoderConfig("llama", 40, 64, 96, 2, 4, 2, 16, 1e-5, 10000, null,
            128, false, false, 0, 1, List.of(2), -1);

    private DecoderCheckpoints() {
    }

    /** config.json, three BF16 shards with their index, tokenizer.json. */
    public static Path write(Path dir, long seed) throws IOException {
        RandomDecoder.write(dir, LLAMA, DType.BF16, 3, 0.05, seed, null);
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "model": {"type": "BPE", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 3}}}""");
        return dir;
    }

    /** Rewrites the JSON header of a safetensors file with {@code edit}, keeping its data. */
    public static void editHeader(Path file, UnaryOperator<String> edit) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(all, 8, (int) len, StandardCharsets.UTF_8).strip();
        byte[] json = edit.apply(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + all.length - 8 - (int) len).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(all, 8 + (int) len, all.length - 8 - (int) len);
        Files.write(file, out.array());
    }
}
