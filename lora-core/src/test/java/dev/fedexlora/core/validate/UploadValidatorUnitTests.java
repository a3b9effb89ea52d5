package dev.fedexlora.core.validate;

import static dev.fedexlora.core.validate.CraftedUploads.HIDDEN;
import static dev.fedexlora.core.validate.CraftedUploads.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.core.aggregate.AggregationMethod;
import dev.fedexlora.core.linalg.Matrix;
import dev.fedexlora.core.peft.LoraAdapter;
import dev.fedexlora.core.tensor.DType;
import dev.fedexlora.core.tensor.SafeTensors;
import dev.fedexlora.core.tensor.Tensor;
import dev.fedexlora.core.tensor.TensorFile;
import dev.fedexlora.core.validate.CraftedUploads.Upload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crafted-upload corpus: every hostile or broken variant of an honest upload is refused with a message naming
 * the file and the field, and the honest one is accepted.
 */
class UploadValidatorUnitTests {

    private static final String QUERY_B = PREFIX + "bert.encoder.layer.0.attention.self.query.lora_B.weight";
    private static final String VALUE_A = PREFIX + "bert.encoder.layer.0.attention.self.value.lora_A.weight";

    private final UploadValidator validator = CraftedUploads.validator();

    @Test
    void anHonestUploadIsAccepted() throws IOException {
        Upload u = Upload.honest();
        LoraAdapter a = validator.validate(u.config(), u.weights(), "task-1");
        assertThat(a.layers()).containsOnlyKeys(CraftedUploads.MODULES);
        assertThat(a.extras()).containsOnlyKeys("classifier.weight", "classifier.bias");
    }

    static Stream<Arguments> corpus() throws IOException {
        Upload h = Upload.honest();
        return Stream.of(
                Arguments.of("alpha_pattern 1e300", h.config(n -> n.putObject("alpha_pattern").put("query", 1e300)),
                        "adapter_config.json", "alpha_pattern"),
                Arguments.of("regex key (.*){1,30}x", h.config(n -> n.putObject("alpha_pattern").put("(.*){1,30}x", 8.0)),
                        "adapter_config.json", "alpha_pattern"),
                Arguments.of("rank_pattern", h.config(n -> n.putObject("rank_pattern").put("query", 16)),
                        "adapter_config.json", "rank_pattern"),
                Arguments.of("alpha_pattern not numeric", h.config(n -> n.putObject("alpha_pattern").put("query", "8")),
                        "adapter_config.json", "alpha_pattern"),
                Arguments.of("fan_in_fan_out true", h.config(n -> n.put("fan_in_fan_out", true)),
                        "adapter_config.json", "fan_in_fan_out"),
                Arguments.of("wrong r", h.config(n -> n.put("r", 8)), "adapter_config.json", "r"),
                Arguments.of("r 4.5", h.config(n -> n.put("r", 4.5)), "adapter_config.json", "r"),
                Arguments.of("alpha 16", h.config(n -> n.put("lora_alpha", 16)), "adapter_config.json", "lora_alpha"),
                Arguments.of("alpha 1e400", h.rawConfig(s -> s.replaceFirst("\"lora_alpha\"\\s*:\\s*8\\.0", "\"lora_alpha\": 1e400")),
                        "adapter_config.json", "lora_alpha"),
                Arguments.of("use_rslora", h.config(n -> n.put("use_rslora", true)), "adapter_config.json", "use_rslora"),
                Arguments.of("use_rslora \"yes\"", h.config(n -> n.put("use_rslora", "yes")), "adapter_config.json", "use_rslora"),
                Arguments.of("use_dora", h.config(n -> n.put("use_dora", true)), "adapter_config.json", "use_dora"),
                Arguments.of("bias all", h.config(n -> n.put("bias", "all")), "adapter_config.json", "bias"),
                Arguments.of("target_modules regex string", h.config(n -> n.put("target_modules", ".*(query|value)")),
                        "adapter_config.json", "target_modules"),
                Arguments.of("unknown target module", h.config(n -> n.putArray("target_modules").add("query").add("no_such_module")),
                        "adapter_config.json", "target_modules"),
                Arguments.of("layers_to_transform", h.config(n -> n.putArray("layers_to_transform").add(0)),
                        "adapter_config.json", "layers_to_transform"),
                Arguments.of("peft_type", h.config(n -> n.put("peft_type", "IA3")), "adapter_config.json", "peft_type"),
                Arguments.of("not JSON", h.rawConfig(s -> "{\"r\": 4,"), "adapter_config.json", "(json)"),
                Arguments.of("config too large", h.rawConfig(s -> s.replace("\"LORA\"", "\"LORA\"" + " ".repeat(70_000))),
                        "adapter_config.json", "size"),
                Arguments.of("int-typed head", h.tensors(t -> t.put(PREFIX + "classifier.weight",
                        new Tensor(DType.I32, new long[] {3, HIDDEN}, new byte[3 * HIDDEN * 4]))),
                        "adapter_model.safetensors", PREFIX + "classifier.weight"),
                Arguments.of("head of the wrong shape", h.tensors(t -> t.put(PREFIX + "classifier.bias", Tensor.ofFloats(new float[4], 4))),
                        "adapter_model.safetensors", PREFIX + "classifier.bias"),
                Arguments.of("16x16 for a 384-wide base", Upload.of(sixteenBySixteen()),
                        "adapter_model.safetensors", "lora_A.weight"),
                Arguments.of("wrong rank in the tensors", h.tensors(t -> {
                    t.put(QUERY_B, Tensor.ofFloats(new float[HIDDEN * 8], HIDDEN, 8));
                }), "adapter_model.safetensors", QUERY_B),
                Arguments.of("NaN", h.tensors(t -> t.put(QUERY_B, withValue(t.get(QUERY_B), Float.NaN))),
                        "adapter_model.safetensors", QUERY_B),
                Arguments.of("infinity", h.tensors(t -> t.put(VALUE_A, withValue(t.get(VALUE_A), Float.NEGATIVE_INFINITY))),
                        "adapter_model.safetensors", VALUE_A),
                Arguments.of("extra key", h.tensors(t -> t.put(PREFIX + "bert.pooler.dense.weight", Tensor.ofFloats(new float[4], 2, 2))),
                        "adapter_model.safetensors", PREFIX + "bert.pooler.dense.weight"),
                Arguments.of("key without the PEFT prefix", h.tensors(t -> t.put("classifier.weight", t.remove(PREFIX + "classifier.weight"))),
                        "adapter_model.safetensors", "classifier.weight"),
                Arguments.of("LoRA on an untargeted layer", h.tensors(t -> t.put(PREFIX + "bert.encoder.layer.0.attention.self.key.lora_A.weight",
                        Tensor.ofFloats(new float[4 * HIDDEN], 4, HIDDEN))), "adapter_model.safetensors", "key.lora_A.weight"),
                Arguments.of("missing lora_B", h.tensors(t -> t.remove(QUERY_B)), "adapter_model.safetensors", "lora_B"),
                Arguments.of("missing head", h.tensors(t -> t.remove(PREFIX + "classifier.bias")),
                        "adapter_model.safetensors", PREFIX + "classifier.bias"),
                Arguments.of("oversize", new Upload(h.config(), new byte[(int) CraftedUploads.validator().maxWeightsBytes() + 1]),
                        "adapter_model.safetensors", "size"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aCraftedUploadIsRefusedNamingTheFileAndField(String name, Upload upload, String file, String field) {
        assertThatThrownBy(() -> validator.validate(upload.config(), upload.weights(), "task-1"))
                .isInstanceOfSatisfying(RejectedUploadException.class, e -> {
                    assertThat(e.file()).isEqualTo("task-1/" + file);
                    assertThat(e.field()).contains(field);
                    assertThat(e.getMessage()).startsWith("task-1/" + file + ": ");
                });
    }

    @Test
    void theSizeBoundFollowsTheJobsShapesAndHoldsAnHonestUpload() throws IOException {
        long honest = Upload.honest().weights().length;
        assertThat(validator.maxWeightsBytes()).isGreaterThanOrEqualTo(honest).isLessThan(3 * honest);
        assertThatThrownBy(() -> validator.checkSize("x/adapter_model.safetensors", 128L << 20, false))
                .hasMessageContaining("size").hasMessageContaining("exceeds");
    }

    @Test
    void ffaUploadsMustCarryTheJobsFrozenA() throws IOException {
        LoraAdapter honest = CraftedUploads.honestAdapter(1);
        Map<String, Matrix> frozen = new java.util.HashMap<>();
        honest.layers().forEach((m, l) -> frozen.put(m, l.a()));
        UploadExpectations ffa = new UploadExpectations(4, 8, false, List.of("query", "value"), AggregationMethod.FFA,
                Map.of(), Map.of(), frozen, CraftedUploads.HEAD);
        UploadValidator v = new UploadValidator(ffa, BaseLayers.of(CraftedUploads.baseTensors()));
        Upload same = Upload.of(honest);
        assertThat(v.validate(same.config(), same.weights(), "t").layers()).hasSize(2);

        Upload other = Upload.of(CraftedUploads.honestAdapter(2));
        assertThatThrownBy(() -> v.validate(other.config(), other.weights(), "t"))
                .isInstanceOf(RejectedUploadException.class).hasMessageContaining("frozen lora_A");
    }

    @Test
    void aJobsOwnPatternsAreAcceptedWhenTheUploadRepeatsThem() throws IOException {
        UploadExpectations job = new UploadExpectations(4, 8, false, List.of("query", "value"), AggregationMethod.FEDEX,
                Map.of("query", 16.0), Map.of(), Map.of(), CraftedUploads.HEAD);
        UploadValidator v = new UploadValidator(job, BaseLayers.of(CraftedUploads.baseTensors()));
        Upload u = Upload.honest().config(n -> n.putObject("alpha_pattern").put("query", 16));
        LoraAdapter a = v.validate(u.config(), u.weights(), "t");
        assertThat(a.scale("bert.encoder.layer.0.attention.self.query")).isEqualTo(4.0);
        assertThat(a.scale("bert.encoder.layer.0.attention.self.value")).isEqualTo(2.0);
    }

    @Test
    void baseShapesComeFromTheCheckpointHeader(@TempDir Path dir) throws IOException {
        Path base = dir.resolve("model.safetensors");
        SafeTensors.write(base, new TensorFile(CraftedUploads.baseTensors()));
        UploadValidator v = new UploadValidator(CraftedUploads.job(AggregationMethod.FEDEX), BaseLayers.of(base));
        Path upload = Files.createDirectories(dir.resolve("upload"));
        dev.fedexlora.core.peft.PeftAdapters.write(upload, CraftedUploads.honestAdapter(3));
        assertThat(v.validate(upload).layers()).hasSize(2);
        assertThat(SafeTensors.header(base).get("encoder.layer.0.attention.self.query.weight").shape())
                .containsExactly(HIDDEN, HIDDEN);
    }

    @Test
    void aJobOnLayersTheBaseLacksIsRefusedUpFront() {
        UploadExpectations job = UploadExpectations.of(4, 8, false, List.of("no_such_module"), AggregationMethod.FEDEX,
                Map.of());
        assertThatThrownBy(() -> new UploadValidator(job, BaseLayers.of(CraftedUploads.baseTensors())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_module");
    }

    @Test
    void alphaPatternKeysAreComparedAsPlainStringsNeverCompiled() {
        var config = new dev.fedexlora.core.peft.AdapterConfig(4, 8, false, List.of("query"), List.of(), false,
                Map.of("(.*){1,30}x", 99.0, ".*query", 50.0, "self.value", 2.0), null, null);
        assertThat(config.alphaFor("bert.encoder.layer.0.attention.self.query")).isEqualTo(8.0);
        assertThat(config.alphaFor("bert.encoder.layer.0.attention.self.value")).isEqualTo(2.0);
    }

    private static LoraAdapter sixteenBySixteen() {
        java.util.Random rnd = new java.util.Random(5);
        Map<String, dev.fedexlora.core.peft.LoraLayer> layers = new java.util.LinkedHashMap<>();
        for (String m : CraftedUploads.MODULES) {
            layers.put(m, new dev.fedexlora.core.peft.LoraLayer(m, CraftedUploads.gaussian(rnd, 4, 16),
                    CraftedUploads.gaussian(rnd, 16, 4)));
        }
        return new LoraAdapter(CraftedUploads.honestAdapter(1).config(), layers, CraftedUploads.honestAdapter(1).extras());
    }

    private static Tensor withValue(Tensor t, float value) {
        float[] v = t.toFloatArray();
        v[v.length / 2] = value;
        return Tensor.ofFloats(v, t.shape());
    }
}
