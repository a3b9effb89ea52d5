package dev.fedexlora.coordinator.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

import dev.fedexlora.coordinator.CoordinatorProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The coordinator's only way to the model registry ({@code docs/architecture.md}, Registry table): resolve a
 * version or alias, read a version's lineage, get presigned artifact URLs, register a job round's version.
 */
@Component
public class RegistryClient {

    private final RestClient http;
    private final JsonMapper json;

    RegistryClient(RestClient.Builder builder, CoordinatorProperties properties, JsonMapper json) {
        this.json = json;
        CoordinatorProperties.Registry registry = properties.registry();
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(registry.timeout());
        factory.setReadTimeout(registry.timeout());
        RestClient.Builder b = builder.clone().baseUrl(registry.url() + "/api/v1").requestFactory(factory)
                .defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE);
        if (registry.token() != null && !registry.token().isBlank()) {
            b.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + registry.token());
        }
        this.http = b.build();
    }

    /** A version by number or alias, with its lineage (this version first, back to the base). */
    public Version version(String model, String versionOrAlias) {
        return call("GET version " + versionOrAlias + " of " + model, () -> http.get()
                .uri("/models/{name}/versions/{v}", model, versionOrAlias).retrieve().body(Version.class));
    }

    /** A registered model: its architecture is {@code config.json}'s {@code architectures[0]} or model_type. */
    public Model model(String model) {
        return call("GET model " + model, () -> http.get().uri("/models/{name}", model).retrieve().body(Model.class));
    }

    /**
     * The versions whose residuals lie between the base weights and {@code version}, oldest first: every version
     * of the lineage that has a parent.
     */
    public List<Integer> residualChain(String model, int version) {
        Version v = version(model, Integer.toString(version));
        List<Integer> chain = new ArrayList<>();
        for (LineageEntry e : v.lineage() == null ? List.<LineageEntry>of() : v.lineage()) {
            if (e.parentVersion() != null) {
                chain.add(e.version());
            }
        }
        Collections.reverse(chain);
        return chain;
    }

    /** A presigned GET of one artifact of a version, with the checksum the download must have. */
    public PresignedArtifact presign(String model, int version, String file) {
        return call("presign " + file + " of " + model + " v" + version, () -> http.get()
                .uri("/models/{name}/versions/{v}/artifacts/{file}?presign=true", model, version, file)
                .retrieve().body(PresignedArtifact.class));
    }

    /** Registers a job round's version; answers the registered version. 409 (as an exception) when it exists. */
    public Version register(String model, RegisterVersion request) {
        return call("register a version of " + model, () -> http.post()
                .uri("/models/{name}/versions", model).contentType(MediaType.APPLICATION_JSON).body(request)
                .retrieve().body(Version.class));
    }

    private <T> T call(String what, java.util.function.Supplier<T> call) {
        try {
            T body = call.get();
            if (body == null) {
                throw new RegistryCallException("registry: " + what + " answered no body", 502, null);
            }
            return body;
        } catch (RestClientResponseException e) {
            throw new RegistryCallException("registry: " + what + " failed with " + e.getStatusCode().value() + ": "
                    + e.getResponseBodyAsString(), e.getStatusCode().value(), existingVersion(e), e);
        } catch (RestClientException e) {
            throw new RegistryCallException("registry: " + what + " failed: " + e.getMessage(), 0, e);
        }
    }

    /** The {@code existingVersion} of a {@code version-exists} problem (a job round registered before), or null. */
    private Integer existingVersion(RestClientResponseException e) {
        if (e.getStatusCode().value() != 409) {
            return null;
        }
        try {
            JsonNode problem = json.readTree(e.getResponseBodyAsString());
            JsonNode v = problem.get("existingVersion");
            return v != null && v.isIntegralNumber() ? v.asInt() : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /** The parts of a registry version the coordinator reads; {@code artifacts} with their checksums and sizes. */
    public record Version(String model, int version, Integer parentVersion, Source source,
                         List<LineageEntry> lineage, List<ArtifactRef> artifacts) {
    }

    public record Model(String name, String architecture) {
    }

    public record Source(String kind, String jobId, Integer round) {
    }

    public record LineageEntry(int version, Integer parentVersion) {
    }

    public record PresignedArtifact(String url, String sha256, long size) {
    }

    /** {@code POST /models/{name}/versions} body. */
    public record RegisterVersion(int parentVersion, JobSource source, String method, List<Client> clients,
                                  Map<String, Object> metrics, double exactnessError, List<ArtifactRef> artifacts) {
    }

    /** The job round a version came from. */
    public record JobSource(String jobId, int round) {
    }

    public record Client(String clientId, String adapterSha256, long examples, double weight) {
    }

    public record ArtifactRef(String file, String objectKey, String sha256, long size) {
    }
}
