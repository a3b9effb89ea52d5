package dev.fedexlora.coordinator.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.sun.net.httpserver.HttpServer;
import dev.fedexlora.coordinator.CoordinatorProperties;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the coordinator follows of a sharded base's index: only shard names of the Hugging Face pattern that are
 * artifacts of version 0, at most {@link BaseCheckpoints#MAX_SHARDS} of them, from an index of bounded size; nothing
 * else is presigned or read.
 */
class BaseCheckpointsUnitTests {

    static final String MODEL = "m";
    static final JsonMapper JSON = JsonMapper.builder().build();

    HttpServer server;
    byte[] index;
    RegistryClient registry;
    BaseCheckpoints checkpoints;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/index", exchange -> {
            exchange.sendResponseHeaders(200, index.length);
            exchange.getResponseBody().write(index);
            exchange.close();
        });
        server.start();
        registry = mock(RegistryClient.class);
        CoordinatorProperties properties = mock(CoordinatorProperties.class);
        when(properties.registry()).thenReturn(new CoordinatorProperties.Registry("http://unused", null,
                Duration.ofSeconds(5)));
        checkpoints = new BaseCheckpoints(registry, JSON, properties);
        when(registry.presign(MODEL, 0, BaseCheckpoints.INDEX)).thenReturn(new RegistryClient.PresignedArtifact(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/index", "0".repeat(64), 0));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void base(Map<String, String> weightMap, List<String> stored, long indexSize) {
        index = JSON.writeValueAsString(Map.of("metadata", Map.of(), "weight_map", weightMap))
                .getBytes(StandardCharsets.UTF_8);
        List<RegistryClient.ArtifactRef> artifacts = new ArrayList<>();
        artifacts.add(new RegistryClient.ArtifactRef("config.json", "k", "0".repeat(64), 10));
        artifacts.add(new RegistryClient.ArtifactRef(BaseCheckpoints.INDEX, "k", "0".repeat(64),
                indexSize < 0 ? index.length : indexSize));
        stored.forEach(f -> artifacts.add(new RegistryClient.ArtifactRef(f, "k", "0".repeat(64), 100)));
        when(registry.version(MODEL, "0")).thenReturn(new RegistryClient.Version(MODEL, 0, null, null, List.of(),
                artifacts));
    }

    @Test
    void aWellFormedIndexNamesItsShardsInOrderAfterTheIndex() {
        base(Map.of("a.weight", "model-00002-of-00002.safetensors", "b.weight", "model-00001-of-00002.safetensors"),
                List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"), -1);
        assertThat(checkpoints.weightFiles(MODEL)).containsExactly(BaseCheckpoints.INDEX,
                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    }

    @Test
    void aBaseWithoutAnIndexIsOneModelSafetensors() {
        when(registry.version(MODEL, "0")).thenReturn(new RegistryClient.Version(MODEL, 0, null, null, List.of(),
                List.of(new RegistryClient.ArtifactRef("model.safetensors", "k", "0".repeat(64), 100))));
        assertThat(checkpoints.weightFiles(MODEL)).containsExactly("model.safetensors");
    }

    @Test
    void aShardNameOutsideThePatternIsRefusedAndNeverAskedFor() {
        base(Map.of("a.weight", "../../secrets/model-00001-of-00001.safetensors"),
                List.of("model-00001-of-00001.safetensors"), -1);
        assertThatThrownBy(() -> checkpoints.weightFiles(MODEL)).isInstanceOf(RegistryCallException.class)
                .hasMessageContaining("not a shard name");
        base(Map.of("a.weight", "model.safetensors"), List.of("model.safetensors"), -1);
        assertThatThrownBy(() -> checkpoints.weightFiles("m")).hasMessageContaining("not a shard name");
        verify(registry, never()).presign(eq(MODEL), eq(0), eq("model.safetensors"));
    }

    @Test
    void aShardTheVersionDoesNotHoldIsRefused() {
        base(Map.of("a.weight", "model-00001-of-00002.safetensors", "b.weight", "model-00002-of-00002.safetensors"),
                List.of("model-00001-of-00002.safetensors"), -1);
        assertThatThrownBy(() -> checkpoints.weightFiles(MODEL))
                .hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("does not hold");
    }

    @Test
    void moreShardsThanTheBoundAreRefused() {
        Map<String, String> weightMap = new LinkedHashMap<>();
        List<String> stored = new ArrayList<>();
        for (int i = 1; i <= BaseCheckpoints.MAX_SHARDS + 1; i++) {
            String shard = String.format("model-%05d-of-%05d.safetensors", i, BaseCheckpoints.MAX_SHARDS + 1);
            weightMap.put("t" + i + ".weight", shard);
            stored.add(shard);
        }
        base(weightMap, stored, -1);
        assertThatThrownBy(() -> checkpoints.weightFiles(MODEL)).hasMessageContaining("more than 1024 shards");
    }

    @Test
    void anIndexLargerThanTheBoundIsRefusedBeforeItIsRead() {
        base(Map.of("a.weight", "model-00001-of-00001.safetensors"), List.of("model-00001-of-00001.safetensors"),
                BaseCheckpoints.MAX_INDEX_BYTES + 1);
        assertThatThrownBy(() -> checkpoints.weightFiles(MODEL)).hasMessageContaining("more than");
        verify(registry, never()).presign(eq(MODEL), eq(0), anyString());
    }

    @Test
    void anIndexWithoutAWeightMapIsRefused() {
        base(Map.of(), List.of(), -1);
        assertThatThrownBy(() -> checkpoints.weightFiles(MODEL)).hasMessageContaining("weight_map");
    }
}
