package dev.fedexlora.coordinator.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.checksum.Sha256;
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
import dev.fedexlora.core.peft.AdapterConfig;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.peft.LoraLayer;
import dev.fedexlora.core.tensor.Tensor;

/** What makes an upload count: the claimed checksums, a readable PEFT adapter that fits the job and the round. */
class UploadVerifierUnitTests {

    private static final JobRequest FEDEX = job(Method.FEDEX);

    @Test
    void acceptsAnUploadThatMatchesItsChecksumsAndTheJob() throws Exception {
        LoraAdapter adapter = TestAdapters.random(1, 4, 8.0, TestAdapters.HIDDEN);
        Map<String, byte[]> files = TestAdapters.files(adapter);
        UploadVerifier.Verified v = verify(FEDEX, sha(files), files, null);
        assertThat(v.weightsSha256()).isEqualTo(Sha256.hex(files.get(UploadVerifier.WEIGHTS)));
        assertThat(v.adapter().layers().keySet()).isEqualTo(adapter.layers().keySet());
        assertThat(v.bytes()).isEqualTo(files.get(UploadVerifier.WEIGHTS).length
                + (long) files.get(UploadVerifier.CONFIG).length);
    }

    @Test
    void rejectsMissingFilesAndChecksumsThatDoNotMatch() {
        Map<String, byte[]> files = TestAdapters.files(TestAdapters.random(2, 4, 8.0, TestAdapters.HIDDEN));
        Map<String, String> sha = sha(files);
        assertRejected(() -> UploadVerifier.verify(FEDEX, sha, Optional.empty(),
                Optional.of(files.get(UploadVerifier.CONFIG)), null, "t"), "was not uploaded");
        Map<String, String> shortSha = new HashMap<>(sha);
        shortSha.put(UploadVerifier.CONFIG, "abc");
        assertRejected(() -> verify(FEDEX, shortSha, files, null), "64 hex digits");
        Map<String, String> wrong = new HashMap<>(sha);
        wrong.put(UploadVerifier.WEIGHTS, "f".repeat(64));
        assertRejected(() -> verify(FEDEX, wrong, files, null), "but the worker claimed");
    }

    @Test
    void rejectsAdaptersThatDoNotFitTheJob() {
        assertRejected(() -> verifyAdapter(FEDEX, TestAdapters.random(3, 4, 16.0, TestAdapters.HIDDEN), null),
                "lora_alpha");
        LoraAdapter full = TestAdapters.random(4, 4, 8.0, TestAdapters.HIDDEN);
        Map<String, LoraLayer> queryOnly = new LinkedHashMap<>();
        full.layers().forEach((m, l) -> {
            if (m.endsWith("query")) {
                queryOnly.put(m, l);
            }
        });
        assertRejected(() -> verifyAdapter(FEDEX, new LoraAdapter(AdapterConfig.of(4, 8.0, List.of("query", "value")),
                queryOnly, full.extras()), null), "no LoRA layer for target module 'value'");
        Map<String, Tensor> extras = new LinkedHashMap<>(full.extras());
        extras.put("classifier.bias", Tensor.ofFloats(new float[] {0f, Float.POSITIVE_INFINITY, 0f}, 3));
        assertRejected(() -> verifyAdapter(FEDEX, new LoraAdapter(full.config(), full.layers(), extras), null),
                "classifier.bias");
    }

    @Test
    void rejectsAdaptersThatDifferFromTheRoundsOthers() throws Exception {
        LoraAdapter reference = TestAdapters.random(5, 4, 8.0, TestAdapters.HIDDEN);
        assertRejected(() -> verifyAdapter(FEDEX, TestAdapters.random(6, 4, 8.0, TestAdapters.HIDDEN * 2), reference),
                "the round's adapters have");
        // FFA keeps lora_A frozen at the shared initialisation: another A is refused, the same A with a new B is not.
        JobRequest ffa = job(Method.FFA);
        assertRejected(() -> verifyAdapter(ffa, TestAdapters.random(7, 4, 8.0, TestAdapters.HIDDEN), reference),
                "FFA keeps lora_A frozen");
        LoraAdapter other = TestAdapters.random(8, 4, 8.0, TestAdapters.HIDDEN);
        Map<String, LoraLayer> sameA = new LinkedHashMap<>();
        reference.layers().forEach((m, l) -> sameA.put(m, new LoraLayer(m, l.a(), other.layers().get(m).b())));
        assertThat(verifyAdapter(ffa, new LoraAdapter(reference.config(), sameA, reference.extras()), reference))
                .isNotNull();
    }

    private static UploadVerifier.Verified verifyAdapter(JobRequest job, LoraAdapter adapter, LoraAdapter reference)
            throws UploadVerifier.Rejected {
        Map<String, byte[]> files = TestAdapters.files(adapter);
        return verify(job, sha(files), files, reference);
    }

    private static UploadVerifier.Verified verify(JobRequest job, Map<String, String> sha, Map<String, byte[]> files,
                                                  LoraAdapter reference) throws UploadVerifier.Rejected {
        return UploadVerifier.verify(job, sha, Optional.ofNullable(files.get(UploadVerifier.WEIGHTS)),
                Optional.ofNullable(files.get(UploadVerifier.CONFIG)), reference, "task");
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
                Duration.ofMinutes(1), null, false, TestAdapters.LABELS, null, null);
    }
}
