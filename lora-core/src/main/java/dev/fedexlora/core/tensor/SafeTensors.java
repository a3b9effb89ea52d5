package dev.fedexlora.core.tensor;

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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length, a JSON header mapping each tensor name to its dtype, shape and byte range, then
 * the raw data. Reading validates everything the header claims against the file before touching the data, so a
 * damaged or hostile file fails with a message naming the file and the problem, never an index exception.
 */
public final class SafeTensors {

    /** Headers larger than this are refused as absurd (the reference implementation uses the same bound). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private SafeTensors() {
    }

    /** Reads every tensor of {@code file}. @throws InvalidTensorFileException when the file is not valid */
    public static TensorFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(positional(ch), file.toString());
        }
    }

    /** Reads a safetensors file held in memory, in place; {@code source} names it in error messages. */
    public static TensorFile read(byte[] content, String source) throws IOException {
        return read(new Positional() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public int read(ByteBuffer buf, long position) {
                if (position >= content.length) {
                    return -1;
                }
                int n = (int) Math.min(buf.remaining(), content.length - position);
                buf.put(content, (int) position, n);
                return n;
            }
        }, source);
    }

    /**
     * The dtype and shape of every tensor of {@code file}, from its header alone: the data is not read, only
     * checked to be where the header says (no gap, overlap or truncation). Use it to learn a base checkpoint's
     * layer shapes without loading its weights.
     */
    public static Map<String, TensorInfo> header(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, TensorInfo> out = new LinkedHashMap<>();
            for (Entry e : readHeader(positional(ch), file.toString()).entries()) {
                out.put(e.name(), new TensorInfo(e.dtype(), e.shape().clone()));
            }
            return out;
        }
    }

    /** A tensor as a file header describes it. @param shape dimensions, outermost first */
    public record TensorInfo(DType dtype, long[] shape) {
    }

    private record Header(Map<String, String> metadata, List<Entry> entries, long dataStart) {
    }

    /** Bytes read by position: a file channel or an array. */
    private interface Positional {
        long size() throws IOException;

        int read(ByteBuffer buf, long position) throws IOException;
    }

    private static Positional positional(FileChannel ch) {
        return new Positional() {
            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public int read(ByteBuffer buf, long position) throws IOException {
                return ch.read(buf, position);
            }
        };
    }

    private static TensorFile read(Positional ch, String source) throws IOException {
        Header h = readHeader(ch, source);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : h.entries()) {
            if (e.byteSize() > Integer.MAX_VALUE - 16) {
                throw new InvalidTensorFileException(source, "tensor '" + e.name()
                        + "' is larger than 2 GiB, which this reader does not hold in memory");
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(e.end() - e.begin()));
            readFully(ch, buf, h.dataStart() + e.begin(), source);
            tensors.put(e.name(), new Tensor(e.dtype(), e.shape(), buf.array()));
        }
        return new TensorFile(h.metadata(), tensors);
    }

    private static Header readHeader(Positional ch, String source) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new InvalidTensorFileException(source, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, source);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new InvalidTensorFileException(source, "absurd header size " + Long.toUnsignedString(headerLen)
                    + " bytes (allowed 2.." + MAX_HEADER_BYTES + ")");
        }
        if (8 + headerLen > size) {
            throw new InvalidTensorFileException(source, "truncated: header claims " + headerLen
                    + " bytes but the file has only " + (size - 8) + " after the length");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8, source);
        Layout layout = parseLayout(source, headerBuf.array(), size - 8 - headerLen);
        return new Header(layout.metadata(), layout.entries(), layout.dataStart());
    }

    /**
     * The layout of a safetensors file from its first bytes: reads exactly the 8-byte length and the header from
     * {@code in}, nothing of the data. The data length is what the tensors' byte ranges tile, which the caller
     * checks against the bytes that follow ({@link CheckedSafeTensorStream} does it while streaming).
     *
     * @throws InvalidTensorFileException naming {@code source} when the header is absent, absurd or inconsistent
     */
    public static Layout readLayout(InputStream in, String source) throws IOException {
        byte[] len = in.readNBytes(8);
        if (len.length < 8) {
            throw new InvalidTensorFileException(source, "truncated: " + len.length
                    + " bytes, shorter than the 8-byte header length");
        }
        long headerLen = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
            throw new InvalidTensorFileException(source, "absurd header size " + Long.toUnsignedString(headerLen)
                    + " bytes (allowed 2.." + MAX_HEADER_BYTES + ")");
        }
        byte[] json = in.readNBytes((int) headerLen);
        if (json.length < headerLen) {
            throw new InvalidTensorFileException(source, "truncated: header claims " + headerLen
                    + " bytes but the file ends after " + json.length);
        }
        return parseLayout(source, json, -1);
    }

    /**
     * A file's header: metadata, tensors in header order, where the data starts and how long it is.
     *
     * @param header the header's JSON bytes (as in the file, padding included)
     */
    public record Layout(Map<String, String> metadata, List<Entry> entries, long dataStart, long dataLength,
                         byte[] header) {

        /** The tensors in the order of their bytes in the data section. */
        public List<Entry> inDataOrder() {
            List<Entry> out = new ArrayList<>(entries);
            out.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            return out;
        }

        /** Bytes of the whole file: length field, header and data. */
        public long totalSize() {
            return dataStart + dataLength;
        }
    }

    /** @param dataLen bytes after the header, or -1 when unknown (then the byte ranges define it) */
    private static Layout parseLayout(String source, byte[] json, long dataLen) throws IOException {
        JsonNode header;
        try {
            header = JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new InvalidTensorFileException(source, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw new InvalidTensorFileException(source, "header is not a JSON object");
        }
        long dataStart = 8 + json.length;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (METADATA_KEY.equals(name)) {
                if (!node.isObject()) {
                    throw new InvalidTensorFileException(source, "__metadata__ is not an object of strings");
                }
                for (Map.Entry<String, JsonNode> m : node.properties()) {
                    if (!m.getValue().isString()) {
                        throw new InvalidTensorFileException(source, "__metadata__ value '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().asString());
                }
                continue;
            }
            entries.add(parseEntry(source, name, node, dataLen < 0 ? Long.MAX_VALUE : dataLen));
        }

        // Byte ranges must tile the data section exactly: no gaps, no overlaps, nothing left over.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        for (Entry e : byOffset) {
            if (e.begin() != expectedBegin) {
                throw new InvalidTensorFileException(source, "tensor '" + e.name() + "' starts at byte " + e.begin()
                        + " of the data but the previous tensor ends at " + expectedBegin + " (gap or overlap)");
            }
            expectedBegin = e.end();
        }
        if (dataLen >= 0 && expectedBegin != dataLen) {
            throw new InvalidTensorFileException(source, "truncated or padded: tensors cover " + expectedBegin
                    + " bytes of data but the file holds " + dataLen);
        }
        return new Layout(metadata, List.copyOf(entries), dataStart, expectedBegin, json);
    }

    /** One tensor of a header: its byte range {@code [begin, end)} counts from the start of the data. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {

        public long byteSize() {
            return end - begin;
        }
    }

    private static Entry parseEntry(String source, String name, JsonNode node, long dataLen) throws InvalidTensorFileException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new InvalidTensorFileException(source, where + " is not described by an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isString()) {
            throw new InvalidTensorFileException(source, where + " has no dtype");
        }
        DType dtype = DType.fromHeader(dtypeNode.asString()).orElseThrow(() ->
                new InvalidTensorFileException(source, where + " has unknown dtype '" + dtypeNode.asString() + "'"));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new InvalidTensorFileException(source, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new InvalidTensorFileException(source, where + " has an invalid dimension " + d + " in its shape");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new InvalidTensorFileException(source, where + " has no valid data_offsets [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new InvalidTensorFileException(source, where + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataLen) {
            throw new InvalidTensorFileException(source, where + " has data_offsets [" + begin + ", " + end
                    + "] outside the " + dataLen + " bytes of data: the file is truncated or its offsets are wrong");
        }
        long count;
        try {
            count = Tensor.elementCount(shape);
            Math.multiplyExact(count, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new InvalidTensorFileException(source, where + " has a shape too large to address");
        }
        if (count * dtype.bytes() != end - begin) {
            throw new InvalidTensorFileException(source, where + " of " + dtype + java.util.Arrays.toString(shape)
                    + " needs " + count * dtype.bytes() + " bytes but its data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void readFully(Positional ch, ByteBuffer buf, long position, String source) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new InvalidTensorFileException(source, "truncated: unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    /**
     * The first bytes of a file with {@code layout}'s tensors at the same data offsets and its metadata plus
     * {@code extra}: the 8-byte length and the header padded to 8 bytes. Followed by the same data it makes a valid
     * file, so a streamed rewrite (a fold) needs no tensor in memory to write its header.
     */
    public static byte[] headerWith(Layout layout, Map<String, String> extra) {
        ObjectNode header = (ObjectNode) JSON.readTree(layout.header());
        ObjectNode meta = JSON.createObjectNode();
        layout.metadata().forEach(meta::put);
        extra.forEach(meta::put);
        ObjectNode out = JSON.createObjectNode();
        if (!meta.isEmpty()) {
            out.set(METADATA_KEY, meta);
        }
        header.properties().forEach(e -> {
            if (!METADATA_KEY.equals(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        byte[] json = JSON.writeValueAsBytes(out);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
        while (buf.hasRemaining()) {
            buf.put((byte) ' ');
        }
        return buf.array();
    }

    /** Writes {@code file} atomically enough for our use: to a sibling temporary file, then moved into place. */
    public static void write(Path path, TensorFile file) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            write(out, file);
        }
        Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code file} to {@code out} in safetensors layout, tensors in the map's order. */
    public static void write(OutputStream out, TensorFile file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!file.metadata().isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            file.metadata().forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : file.tensors().entrySet()) {
            Tensor t = e.getValue();
            ObjectNode node = header.putObject(e.getKey());
            node.put("dtype", t.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = node.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // 8-byte alignment of the data section, padded with spaces
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) {
            out.write(' ');
        }
        for (Tensor t : file.tensors().values()) {
            out.write(t.bytes());
        }
    }

    /** The whole file in memory, for uploads of small files such as adapters. */
    public static byte[] toBytes(TensorFile file) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        write(out, file);
        return out.toByteArray();
    }
}
