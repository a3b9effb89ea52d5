package dev.fedexlora.train.checkpoint;

import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of an ONNX model that weight import needs: the graph's nodes (op type, inputs, outputs) and its
 * initializers as tensors. A hand-written reader of the protobuf wire format ({@code onnx.proto}: ModelProto
 * field 7 = graph; GraphProto 1 = node, 5 = initializer; NodeProto 1 = input, 2 = output, 4 = op_type;
 * TensorProto 1 = dims, 2 = data_type, 4 = float_data, 8 = name, 9 = raw_data), so no protobuf runtime is needed.
 * Only fp32 and int64 initializers are decoded; others are skipped.
 */
final class OnnxGraph {

    record Node(String opType, List<String> inputs, List<String> outputs) {
    }

    private final List<Node> nodes;
    private final Map<String, Tensor> initializers;

    private OnnxGraph(List<Node> nodes, Map<String, Tensor> initializers) {
        this.nodes = nodes;
        this.initializers = initializers;
    }

    List<Node> nodes() {
        return nodes;
    }

    Map<String, Tensor> initializers() {
        return initializers;
    }

    static OnnxGraph parse(byte[] model, String source) throws IOException {
        try {
            Wire top = new Wire(model, 0, model.length);
            Wire graph = null;
            while (top.hasMore()) {
                int key = top.tag();
                if (key >>> 3 == 7 && (key & 7) == 2) {
                    graph = top.message();
                } else {
                    top.skip(key);
                }
            }
            if (graph == null) {
                throw new IOException(source + ": not an ONNX model (no graph)");
            }
            List<Node> nodes = new ArrayList<>();
            Map<String, Tensor> inits = new LinkedHashMap<>();
            while (graph.hasMore()) {
                int key = graph.tag();
                int field = key >>> 3;
                if (field == 1 && (key & 7) == 2) {
                    nodes.add(node(graph.message()));
                } else if (field == 5 && (key & 7) == 2) {
                    tensor(graph.message(), inits);
                } else {
                    graph.skip(key);
                }
            }
            return new OnnxGraph(List.copyOf(nodes), inits);
        } catch (IndexOutOfBoundsException | IllegalStateException e) {
            throw new IOException(source + ": malformed ONNX protobuf: " + e.getMessage(), e);
        }
    }

    private static Node node(Wire w) {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        String op = "";
        while (w.hasMore()) {
            int key = w.tag();
            switch (key >>> 3) {
                case 1 -> in.add(w.string());
                case 2 -> out.add(w.string());
                case 4 -> op = w.string();
                default -> w.skip(key);
            }
        }
        return new Node(op, in, out);
    }

    private static void tensor(Wire w, Map<String, Tensor> into) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        byte[] raw = null;
        List<Float> floats = new ArrayList<>();
        while (w.hasMore()) {
            int key = w.tag();
            int field = key >>> 3;
            int type = key & 7;
            if (field == 1 && type == 0) {
                dims.add(w.varint());
            } else if (field == 1 && type == 2) {
                Wire packed = w.message();
                while (packed.hasMore()) {
                    dims.add(packed.varint());
                }
            } else if (field == 2 && type == 0) {
                dataType = (int) w.varint();
            } else if (field == 4 && type == 2) {
                Wire packed = w.message();
                while (packed.hasMore()) {
                    floats.add(Float.intBitsToFloat(packed.fixed32()));
                }
            } else if (field == 8 && type == 2) {
                name = w.string();
            } else if (field == 9 && type == 2) {
                raw = w.bytes();
            } else {
                w.skip(key);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        DType dtype = switch (dataType) {
            case 1 -> DType.F32;
            case 7 -> DType.I64;
            default -> null;
        };
        if (name == null || dtype == null) {
            return;
        }
        if (raw == null) {
            if (dtype != DType.F32) {
                return;
            }
            ByteBuffer b = ByteBuffer.allocate(floats.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
            floats.forEach(b::putFloat);
            raw = b.array();
        }
        into.put(name, new Tensor(dtype, shape, raw));
    }

    /** A cursor over one protobuf message in {@code buf[pos, end)}. */
    private static final class Wire {
        private final byte[] buf;
        private int pos;
        private final int end;

        Wire(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new IllegalStateException("varint longer than 10 bytes at " + pos);
        }

        int fixed32() {
            int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                    | (buf[pos + 3] & 0xff) << 24;
            pos += 4;
            return v;
        }

        private int length() {
            long len = varint();
            if (len < 0 || pos + len > end) {
                throw new IllegalStateException("field length " + len + " runs past the message at " + pos);
            }
            return (int) len;
        }

        Wire message() {
            int len = length();
            Wire w = new Wire(buf, pos, pos + len);
            pos += len;
            return w;
        }

        byte[] bytes() {
            int len = length();
            byte[] out = new byte[len];
            System.arraycopy(buf, pos, out, 0, len);
            pos += len;
            return out;
        }

        String string() {
            int len = length();
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        void skip(int key) {
            switch (key & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = length(); // read before moving: `pos += length()` would use the old pos
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalStateException("unsupported wire type " + (key & 7) + " at " + pos);
            }
        }
    }
}
