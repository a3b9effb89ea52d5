package dev.fedexlora.coordinator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.checksum.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.fedexlora.coordinator.job.JobRequest;
import dev.fedexlora.core.protocol.Method;
import dev.fedexlora.coordinator.job.Weighting;
import dev.fedexlora.coordinator.support.TestAdapters;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.validate.UploadValidator;

/**
 * What makes an upload count: the claimed checksums, then every field and tensor checked against the job and the
 * base checkpoint's shapes (never against another upload), and for FFA the round's frozen A.
 */
class UploadVerifierUnitTests {

    private static final JobRequest FEDEX = job(Method.FEDEX);

    /** The base checkpoint TestAdapters' adapters fit: two BERT layers of width HIDDEN. */
    private static Map<String, List<Long>> base(int hidden) {
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", List.of(100L, (long) hidden));
        for (int layer = 0; layer < 2; layer++) {
            for (String t : List.of("query", "key", "value")) {
                shapes.put("encoder.layer." + layer + ".attention.self." + t + ".weight", List.of((long) hidden,
                        (long) hidden));
                shapes.put("encoder.layer." + layer + ".attention.self." + t + ".bias", List.of((long) hidden));
            }
        }
        return shapes;
    }

    @Test
    void acceptsAnUploadThatMatchesItsChecksumsTheJobAndTheBase() throws Exception {
        LoraAdapter adapter = TestAdapters.random(1, 4, 8.0, TestAdapters.HIDDEN);
        Map<String, byte[]> files = TestAdapters.files(adapter);
        UploadVerifier.Verified v = verify(FEDEX, sha(files), files, null);
        assertThat(v.weightsSha256()).isEqualTo(Sha256.hex(files.get(UploadVerifier.WEIGHTS)));
        assertThat(v.adapter().layers().keySet()).isEqualTo(adapter.layers().keySet());
        assertThat(v.bytes()).isEqualTo(files.get(UploadVerifier.WEIGHTS).length
                + (long) files.get(UploadVerifier.CONFIG).length);
    }

    @Test
    void rejectsMissingFilesAndChecksumsThatDoNotMatch() throws Exception {
        Map<String, byte[]> files = TestAdapters.files(TestAdapters.random(2, 4, 8.0, TestAdapters.HIDDEN));
        Map<String, String> sha = sha(files);
        UploadValidator validator = UploadVerifier.validator(FEDEX, base(TestAdapters.HIDDEN), null);
        assertRejected(() -> UploadVerifier.verify(validator, sha, Optional.empty(),
                Optional.of(files.get(UploadVerifier.CONFIG)), "t"), "was not uploaded");
        Map<String, String> shortSha = new HashMap<>(sha);
        shortSha.put(UploadVerifier.CONFIG, "abc");
        assertRejected(() -> verify(FEDEX, shortSha, files, null), "64 hex digits");
        Map<String, String> wrong = new HashMap<>(sha);
        wrong.put(UploadVerifier.WEIGHTS, "f".repeat(64));
        assertRejected(() -> verify(FEDEX, wrong, files, null), "but the worker claimed");
    }

    @Test
    void rejectsConfigFieldsThatAggregationWouldReadDifferently() {
        LoraAdapter adapter = TestAdapters.random(3, 4, 8.0, TestAdapters.HIDDEN);
        assertRejected(() -> verifyAdapter(FEDEX, TestAdapters.random(3, 4, 16.0, TestAdapters.HIDDEN)),
                "lora_alpha");
        // A pattern key is never compiled: a catastrophic regex is refused as a key the job does not set.
        assertRejected(() -> verifyConfig(adapter, c -> c.replaceFirst("\"alpha_pattern\"\\s*:\\s*\\{\\s*}",
                "\"alpha_pattern\":{\"(.*){1,30}x\":1e300}")), "alpha_pattern");
        assertRejected(() -> verifyConfig(adapter, c -> c.replaceFirst("\"fan_in_fan_out\"\\s*:\\s*false",
                "\"fan_in_fan_out\":true")), "fan_in_fan_out");
        // A key given twice could be read one way here and another way by a different parser: refused.
        assertRejected(() -> verifyConfig(adapter, c -> c.replaceFirst("\"r\"\\s*:\\s*4", "\"r\":4,\"r\":8")), "r");
    }

    @Test
    void rejectsTensorsThatDoNotFitTheBaseModelOrTheHead() {
        // Consistent with itself, but 8 wide for a 16-wide base: refused against the base, with no other upload.
        assertRejected(() -> verifyAdapter(FEDEX, TestAdapters.random(4, 4, 8.0, TestAdapters.HIDDEN / 2)),
                "must be");
        LoraAdapter full = TestAdapters.random(5, 4, 8.0, TestAdapters.HIDDEN);
        Map<String, LoraLayer> queryOnly = new LinkedHashMap<>();
        full.layers().forEach((m, l) -> {
            if (m.endsWith("query")) {
                queryOnly.put(m, l);
            }
        });
        assertRejected(() -> verifyAdapter(FEDEX, new LoraAdapter(full.config(), queryOnly, full.extras())),
                "missing for base layer");
        Map<String, Tensor> infinite = new LinkedHashMap<>(full.extras());
        infinite.put("classifier.bias", Tensor.ofFloats(new float[] {0f, Float.POSITIVE_INFINITY, 0f}, 3));
        assertRejected(() -> verifyAdapter(FEDEX, new LoraAdapter(full.config(), full.layers(), infinite)),
                "not finite");
        Map<String, Tensor> integer = new LinkedHashMap<>(full.extras());
        integer.put("classifier.bias", new Tensor(dev.fedexlora.core.tensor.DType.I32, new long[] {3}, new byte[12]));
        assertRejected(() -> verifyAdapter(FEDEX, new LoraAdapter(full.config(), full.layers(), integer)),
                "floating-point");
    }

    @Test
    void boundsTheSizeBeforeReading() throws Exception {
        UploadValidator validator = UploadVerifier.validator(FEDEX, base(TestAdapters.HIDDEN), null);
        long honest = TestAdapters.files(TestAdapters.random(6, 4, 8.0, TestAdapters.HIDDEN))
                .get(UploadVerifier.WEIGHTS).length;
        UploadVerifier.checkSize(validator, UploadVerifier.WEIGHTS, honest);
        assertRejected(() -> UploadVerifier.checkSize(validator, UploadVerifier.WEIGHTS, 128L << 20), "size");
        assertRejected(() -> UploadVerifier.checkSize(validator, UploadVerifier.CONFIG, 1L << 20), "size");
    }

    @Test
    void ffaRequiresTheRoundsFrozenA() throws Exception {
        JobRequest ffa = job(Method.FFA);
        LoraAdapter reference = TestAdapters.random(7, 4, 8.0, TestAdapters.HIDDEN);
        LoraAdapter other = TestAdapters.random(8, 4, 8.0, TestAdapters.HIDDEN);
        UploadValidator validator = UploadVerifier.validator(ffa, base(TestAdapters.HIDDEN), reference);
        Map<String, byte[]> files = TestAdapters.files(other);
        assertRejected(() -> UploadVerifier.verify(validator, sha(files), Optional.of(files.get(UploadVerifier.WEIGHTS)),
                Optional.of(files.get(UploadVerifier.CONFIG)), "t"), "frozen lora_A");
        Map<String, LoraLayer> sameA = new LinkedHashMap<>();
        reference.layers().forEach((m, l) -> sameA.put(m, new LoraLayer(m, l.a(), other.layers().get(m).b())));
        Map<String, byte[]> good = TestAdapters.files(new LoraAdapter(reference.config(), sameA, reference.extras()));
        assertThat(UploadVerifier.verify(validator, sha(good), Optional.of(good.get(UploadVerifier.WEIGHTS)),
                Optional.of(good.get(UploadVerifier.CONFIG)), "t").adapter().layers()).hasSize(4);
    }

    @Test
    void aBaseWithoutTheTargetedLayersRefusesEveryUpload() {
        Map<String, List<Long>> noAttention = Map.of("embeddings.word_embeddings.weight", List.of(100L, 16L));
        assertRejected(() -> UploadVerifier.validator(FEDEX, noAttention, null), "no 2-d layer");
    }

    private static UploadVerifier.Verified verifyAdapter(JobRequest job, LoraAdapter adapter) throws Exception {
        Map<String, byte[]> files = TestAdapters.files(adapter);
        return verify(job, sha(files), files, null);
    }

    private static UploadVerifier.Verified verifyConfig(LoraAdapter adapter,
                                                        java.util.function.UnaryOperator<String> edit) throws Exception {
        Map<String, byte[]> files = new HashMap<>(TestAdapters.files(adapter));
        String config = new String(files.get(UploadVerifier.CONFIG), StandardCharsets.UTF_8);
        String edited = edit.apply(config);
        assertThat(edited).isNotEqualTo(config);
        files.put(UploadVerifier.CONFIG, edited.getBytes(StandardCharsets.UTF_8));
        return verify(FEDEX, sha(files), files, null);
    }

    private static UploadVerifier.Verified verify(JobRequest job, Map<String, String> sha, Map<String, byte[]> files,
                                                  LoraAdapter reference) throws UploadVerifier.Rejected {
        return UploadVerifier.verify(UploadVerifier.validator(job, base(TestAdapters.HIDDEN), reference), sha,
                Optional.ofNullable(files.get(UploadVerifier.WEIGHTS)),
                Optional.ofNullable(files.get(UploadVerifier.CONFIG)), "task");
    }

    private static Map<String, String> sha(Map<String, byte[]> files) {
        Map<String, String> sha = new HashMap<>();
        files.forEach((f, b) -> sha.put(f, Sha256.hex(b)));
        return sha;
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
        assertThatThrownBy(call).isInstanceOf(UploadVerifier.Rejected.class).hasMessageContaining(reason);
    }

    private static JobRequest job(Method method) {
        return new JobRequest(new JobRequest.BaseModelRef("tiny-bert", "0"), "wordnet-nouns", List.of("c1"), null,
                method, 1, 4, 8.0, List.of("query", "value"), 0.001, 10, 8, 0L, Weighting.UNIFORM,
                Duration.ofMinutes(1), null, false, TestAdapters.LABELS, null, null, null);
    }
}
