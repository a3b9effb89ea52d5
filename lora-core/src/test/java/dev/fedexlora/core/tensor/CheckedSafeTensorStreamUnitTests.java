package dev.fedexlora.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckedSafeTensorStreamUnitTests {

    private static byte[] file() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.ofFloats(DType.BF16, new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("b", Tensor.ofFloats(DType.F32, new float[] {7, 8}, 2));
        return SafeTensors.toBytes(new TensorFile(Map.of("format", "pt"), t));
    }

    @Test
    void passesTheWholeFileThroughAndReportsItsLayoutFromTheFirstBytes() throws IOException {
        byte[] f = file();
        try (CheckedSafeTensorStream in = CheckedSafeTensorStream.open(new ByteArrayInputStream(f), f.length, "x")) {
            assertThat(in.layout().totalSize()).isEqualTo(f.length);
            assertThat(in.layout().entries()).extracting(SafeTensors.Entry::name).containsExactly("a", "b");
            assertThat(in.readAllBytes()).isEqualTo(f);
        }
    }

    @Test
    void aTruncatedStreamFailsAtItsEndEvenWithoutADeclaredSize() throws IOException {
        byte[] f = Arrays.copyOf(file(), file().length - 3);
        CheckedSafeTensorStream in = CheckedSafeTensorStream.open(new ByteArrayInputStream(f), -1, "x");
        assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(InvalidTensorFileException.class).hasMessageContaining("truncated");
    }

    @Test
    void aDeclaredSizeThatDisagreesWithTheHeaderIsRefusedBeforeAnyData() throws IOException {
        byte[] f = file();
        assertThatThrownBy(() -> CheckedSafeTensorStream.open(new ByteArrayInputStream(f), f.length - 1, "x"))
                .isInstanceOf(InvalidTensorFileException.class).hasMessageContaining("x: truncated");
        byte[] padded = Arrays.copyOf(f, f.length + 1);
        CheckedSafeTensorStream in = CheckedSafeTensorStream.open(new ByteArrayInputStream(padded), -1, "x");
        assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(InvalidTensorFileException.class).hasMessageContaining("padded");
    }

    @Test
    void aDtypeWhoseSizeDoesNotMatchTheByteRangeIsRefused() throws IOException {
        byte[] f = file();
        String header = new String(f, 8, f.length - 8, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] relabelled = header.replace("\"BF16\"", "\"F32\" ").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] bad = Arrays.copyOf(f, f.length);
        System.arraycopy(relabelled, 0, bad, 8, relabelled.length);
        assertThatThrownBy(() -> CheckedSafeTensorStream.open(new ByteArrayInputStream(bad), bad.length, "x"))
                .isInstanceOf(InvalidTensorFileException.class).hasMessageContaining("tensor 'a' of F32[2, 3] needs 24 bytes");
    }
}
