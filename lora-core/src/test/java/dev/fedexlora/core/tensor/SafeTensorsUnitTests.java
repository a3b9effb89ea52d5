package dev.fedexlora.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsUnitTests {

    @TempDir
    Path dir;

    @Test
    void roundTripsF32F16Bf16AndMetadata() throws IOException {
        float[] values = {1.5f, -2.25f, 0f, 3.0e-3f, 65504f, -1e-5f};
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w32", Tensor.ofFloats(DType.F32, values, 2, 3));
        tensors.put("w16", Tensor.ofFloats(DType.F16, values, 3, 2));
        tensors.put("wbf", Tensor.ofFloats(DType.BF16, values, 6));
        Path file = dir.resolve("t.safetensors");
        SafeTensors.write(file, new TensorFile(Map.of("format", "pt", "note", "ü"), tensors));

        TensorFile back = SafeTensors.read(file);
        assertThat(back.metadata()).containsEntry("format", "pt").containsEntry("note", "ü");
        assertThat(back.tensors().keySet()).containsExactly("w32", "w16", "wbf");
        assertThat(back.tensor("w32").toFloatArray()).containsExactly(values);
        assertThat(back.tensor("w16").shape()).containsExactly(3, 2);
        float[] f16 = back.tensor("w16").toFloatArray();
        float[] bf16 = back.tensor("wbf").toFloatArray();
        for (int i = 0; i < values.length; i++) {
            assertThat(f16[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 1e-3f + 1e-7f));
            assertThat(bf16[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(Math.abs(values[i]) * 8e-3f + 1e-7f));
        }
        assertThat(Files.size(file) % 8).as("data section is 8-byte aligned").isZero();
    }

    @Test
    void readsFilesLaidOutByTheReferenceWriter() throws IOException {
        // Written by the fixture script in the reference layout: sorted keys, compact JSON, space padding.
        TensorFile base = SafeTensors.read(Path.of("src/test/resources/peft/base.safetensors"));
        assertThat(base.metadata()).containsEntry("format", "pt");
        assertThat(base.tensor("encoder.layer.0.intermediate.dense.weight").shape()).containsExactly(24, 8);
    }

    @Test
    void rejectsAFileShorterThanTheLengthPrefix() throws IOException {
        Path f = write("short.safetensors", new byte[] {1, 2, 3});
        assertRejected(f, "truncated");
    }

    @Test
    void rejectsAnAbsurdHeaderSize() throws IOException {
        byte[] b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array();
        assertRejected(write("huge.safetensors", b), "absurd header size");
    }

    @Test
    void rejectsAHeaderCutShort() throws IOException {
        byte[] valid = validFile();
        assertRejected(write("cut-header.safetensors", Arrays.copyOf(valid, 20)), "truncated");
    }

    @Test
    void rejectsDataCutShort() throws IOException {
        byte[] valid = validFile();
        assertRejected(write("cut-data.safetensors", Arrays.copyOf(valid, valid.length - 4)), "is truncated");
    }

    @Test
    void rejectsAnOffsetOutsideTheData() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,64]}}", 8),
                "outside the 8 bytes of data");
    }

    @Test
    void rejectsAnUnknownDtype() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "unknown dtype 'F12'");
    }

    @Test
    void rejectsAShapeThatDoesNotMatchItsBytes() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "needs 12 bytes but its data_offsets span 8");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "gap or overlap");
    }

    @Test
    void rejectsAHeaderThatIsNotJson() throws IOException {
        assertRejected(withHeader("{\"a\": [", 0), "not valid JSON");
    }

    @Test
    void rejectsANegativeDimension() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "invalid dimension");
    }

    private void assertRejected(Path file, String problem) {
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(InvalidTensorFileException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining(problem);
    }

    private byte[] validFile() throws IOException {
        return SafeTensors.toBytes(new TensorFile(Map.of("k", "v"),
                Map.of("x", Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2))));
    }

    private Path withHeader(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return write("bad-" + Math.abs(json.hashCode()) + ".safetensors", b.array());
    }

    private Path write(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }
}
