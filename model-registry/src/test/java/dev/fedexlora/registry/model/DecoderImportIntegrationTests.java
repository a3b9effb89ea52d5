package dev.fedexlora.registry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.fedexlora.registry.RegistryIntegrationTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

class DecoderImportIntegrationTests extends RegistryIntegrationTest {

    static final String S1 = "model-00001-of-00003.safetensors";
    static final String S2 = "model-00002-of-00003.safetensors";
    static final String S3 = "model-00003-of-00003.safetensors";

    @TempDir
    Path tmp;

    @LocalServerPort
    int port;

    @Test
    void aShardedBf16LlamaCheckpointIsStoredFileByFileWithItsIndex() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("ok"), 7);
        upload("llama-sharded", dir, null).andExpect(status().isCreated())
                .andExpect(jsonPath("$.architecture").value("LlamaForCausalLM"));
        mvc.perform(get("/api/v1/models/llama-sharded/versions/0")).andExpect(status().isOk())
                .andExpect(jsonPath("$.artifacts.length()").value(6))
                .andExpect(jsonPath("$.artifacts[?(@.file == '" + S2 + "')].size")
                        .value((int) Files.size(dir.resolve(S2))));
        assertThat(fixtures.store().list("models/llama-sharded/base/")).hasSize(6);
        assertThat(fixtures.store().hash("models/llama-sharded/base/" + S2).sha256())
                .isEqualTo(dev.fedexlora.core.checksum.Sha256.hex(dir.resolve(S2)));
    }

    @Test
    void anIndexNamingAShardThatWasNotSentIsRefusedAndNothingIsLeft() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("missing"), 8);
        refused("llama-missing-shard", dir, List.of(S1, S3),
                "model.safetensors.index.json", "names shard '" + S2 + "', which was not sent");
    }

    @Test
    void anIndexPlacingATensorInAShardThatLacksItIsRefused() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("ghost"), 9);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"weight_map\" : {",
                "\"weight_map\" : { \"model.layers.0.mlp.extra.weight\" : \"" + S1 + "\","));
        refused("llama-ghost-tensor", dir, null, "model.safetensors.index.json",
                "places 'model.layers.0.mlp.extra.weight' in " + S1 + ", which holds no such tensor");
    }

    @Test
    void shapesThatDisagreeWithConfigJsonAreRefusedNamingTheShard() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("shapes"), 10);
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"intermediate_size\" : 96",
                "\"intermediate_size\" : 128"));
        refused("llama-bad-shapes", dir, null, null, "but config.json makes it [128, 64]");
    }

    @Test
    void aTruncatedShardIsRefusedAsTruncated() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("cut"), 11);
        byte[] shard = Files.readAllBytes(dir.resolve(S2));
        Files.write(dir.resolve(S2), java.util.Arrays.copyOf(shard, shard.length - 1000));
        refused("llama-truncated", dir, null, S2, S2 + ": not a valid safetensors file: truncated");
    }

    @Test
    void aBf16ShardDeclaredAsF16IsRefusedAgainstConfigTorchDtype() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("f16"), 12);
        DecoderCheckpoints.editHeader(dir.resolve(S2), h -> h.replace("\"BF16\"", "\"F16\""));
        refused("llama-f16-label", dir, null, S2, "is F16 but config.json declares torch_dtype bfloat16");
    }

    @Test
    void aBf16ShardDeclaredAsF32IsRefusedByItsDataSize() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("f32"), 13);
        DecoderCheckpoints.editHeader(dir.resolve(S1), h -> h.replace("\"BF16\"", "\"F32\""));
        refused("llama-f32-label", dir, null, S1, "needs");
    }

    @Test
    void anUploadThatStopsHalfWayLeavesNoModelAndNoObjects() throws Exception {
        Path dir = DecoderCheckpoints.write(tmp.resolve("half"), 14);
        String boundary = "cut-" + System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            head.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n")
                    .append("llama-half").append("\r\n");
            byte[] shard = Files.readAllBytes(dir.resolve(S1));
            String partHead = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + S1 + "\"; filename=\""
                    + S1 + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
            long announced = head.length() + partHead.length() + shard.length + 4096;
            out.write(("POST /api/v1/models HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary="
                    + boundary + "\r\nContent-Length: " + announced + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(partHead.getBytes(StandardCharsets.US_ASCII));
            out.write(shard, 0, shard.length / 2);
            out.flush();
        }
        Thread.sleep(500);
        mvc.perform(get("/api/v1/models/llama-half")).andExpect(status().isNotFound());
        assertThat(fixtures.store().list("models/llama-half/")).isEmpty();
        // the cut request holds nothing: the same name then imports from a complete upload
        upload("llama-half", dir, null).andExpect(status().isCreated());
    }

    private void refused(String name, Path dir, List<String> shards, String field, String detail) throws Exception {
        ResultActions r = upload(name, dir, shards).andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value(org.hamcrest.Matchers.endsWith("malformed-checkpoint")))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString(detail)));
        if (field != null) {
            r.andExpect(jsonPath("$.field").value(field));
        }
        mvc.perform(get("/api/v1/models/" + name)).andExpect(status().isNotFound());
        assertThat(fixtures.store().list("models/" + name + "/")).isEmpty();
    }

    ResultActions upload(String name, Path dir, List<String> shards) throws Exception {
        MockMultipartHttpServletRequestBuilder r = multipart("/api/v1/models");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (shards != null && n.startsWith("model-") && !shards.contains(n)) {
                    continue;
                }
                r.file(new MockMultipartFile(n, n, MediaType.APPLICATION_OCTET_STREAM_VALUE, Files.readAllBytes(f)));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return mvc.perform(r.param("name", name));
    }
}
