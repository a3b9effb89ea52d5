package dev.fedexlora.registry.stream;

import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.train.decoder.DecoderCheckpoint;
import dev.fedexlora.train.decoder.DecoderConfig;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A synthetic BF16 decoder checkpoint of any size in the Hugging Face sharded layout, written tensor by tensor
 * through a small buffer (a 7B-shaped one never sits in memory). Values are N(0, 0.02²)-like, drawn from a seeded
 * generator; norm weights near 1.
 */
final class SyntheticCheckpoint {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private SyntheticCheckpoint() {
    }

    /** config.json, {@code shards} shards of about equal size, their index and a tokenizer.json; returns the bytes written. */
    static long write(Path dir, DecoderConfig config, int shards, long seed) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"), "bfloat16");
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "model": {"type": "BPE", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2}}}""");
        Map<String, long[]> shapes = DecoderCheckpoint.expectedShapes(config);
        long total = shapes.values().stream().mapToLong(s -> 2 * count(s)).sum();
        List<Map<String, long[]>> parts = new ArrayList<>();
        Map<String, long[]> current = new LinkedHashMap<>();
        long bytes = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (bytes >= (parts.size() + 1) * total / shards && parts.size() < shards - 1) {
                parts.add(current);
                current = new LinkedHashMap<>();
            }
            current.put(e.getKey(), e.getValue());
            bytes += 2 * count(e.getValue());
        }
        parts.add(current);
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        SplittableRandom rnd = new SplittableRandom(seed);
        long written = 0;
        for (int s = 0; s < parts.size(); s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, parts.size());
            parts.get(s).keySet().forEach(k -> map.put(k, file));
            written += writeShard(dir.resolve(file), parts.get(s), rnd);
        }
        Files.writeString(dir.resolve(DecoderCheckpoint.INDEX_FILE), JSON.writeValueAsString(index));
        return written;
    }

    private static long writeShard(Path file, Map<String, long[]> tensors, SplittableRandom rnd) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Map.Entry<String, long[]> e : tensors.entrySet()) {
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", "BF16");
            ArrayNode shape = n.putArray("shape");
            for (long d : e.getValue()) {
                shape.add(d);
            }
            long size = 2 * count(e.getValue());
            n.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[1 << 20];
            for (Map.Entry<String, long[]> e : tensors.entrySet()) {
                boolean norm = e.getKey().endsWith("norm.weight");
                long left = 2 * count(e.getValue());
                while (left > 0) {
                    int n = (int) Math.min(block.length, left);
                    for (int i = 0; i < n; i += 2) {
                        float v = norm ? 1f + (float) (rnd.nextDouble() - 0.5) * 0.2f
                                : (float) ((rnd.nextDouble() - 0.5) * 0.07);
                        int bits = Float.floatToRawIntBits(v) >>> 16;
                        block[i] = (byte) bits;
                        block[i + 1] = (byte) (bits >>> 8);
                    }
                    out.write(block, 0, n);
                    left -= n;
                }
            }
        }
        return 8 + padded + offset;
    }

    /** The bytes of one tensor of a safetensors file, read by position (the file is not loaded). */
    static byte[] tensorBytes(Path file, String name) throws IOException {
        SafeTensors.Layout layout;
        try (InputStream in = Files.newInputStream(file)) {
            layout = SafeTensors.readLayout(in, file.toString());
        }
        SafeTensors.Entry e = layout.entries().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.byteSize()));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = layout.dataStart() + e.begin();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException(file + " ends inside " + name);
                }
                pos += n;
            }
        }
        return buf.array();
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
