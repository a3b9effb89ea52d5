package dev.fedexlora.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fedexlora.deploy.RepositoryFiles;

/**
 * docker-compose.yml read without Docker: the services, their images as Jib names them, health checks, start order,
 * scalable workers, the GPU profile, and environment variables that the services actually read.
 */
class DockerComposeUnitTests {

    private static final Map<String, String> PLATFORM = Map.of(
            "registry", "model-registry",
            "coordinator", "coordinator-service",
            "worker", "worker-service",
            "worker-gpu", "worker-service");

    private final Map<String, Object> compose = ComposeFile.load();

    @Test
    void platformImagesAreTheOnesJibBuilds() {
        PLATFORM.forEach((service, module) -> {
            assertThat(RepositoryFiles.resolve(module + "/pom.xml")).exists();
            String expected = "fedex-lora/" + module + ":0.1.0-SNAPSHOT" + (service.endsWith("-gpu") ? "-gpu" : "");
            assertThat(ComposeFile.service(compose, service).get("image")).as(service).isEqualTo(expected);
        });
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndDependentsWaitForIt() {
        for (String name : List.of("postgres", "seaweedfs", "registry", "coordinator", "worker", "worker-gpu")) {
            assertThat(ComposeFile.service(compose, name)).as(name).containsKey("healthcheck");
        }
        assertThat(dependsOn("registry")).containsEntry("postgres", "service_healthy")
                .containsEntry("seaweedfs", "service_healthy");
        assertThat(dependsOn("coordinator")).containsEntry("postgres", "service_healthy")
                .containsEntry("registry", "service_healthy")
                .containsEntry("seaweedfs", "service_healthy");
        assertThat(dependsOn("worker")).containsEntry("coordinator", "service_healthy");
    }

    @Test
    void platformHealthChecksAskActuatorReadinessOnTheServicePort() {
        Map<String, Integer> ports = Map.of("registry", 8081, "coordinator", 8080, "worker", 8082, "worker-gpu", 8082);
        ports.forEach((name, port) -> assertThat(String.join(" ", healthTest(name)))
                .as(name).contains("/dev/tcp/127.0.0.1/" + port).contains("/actuator/health/readiness"));
    }

    @Test
    void theS3ServerGrantsThePlatformsAccountItsBucketAndTheServicesUseBoth() {
        Map<String, Object> seaweedfs = ComposeFile.service(compose, "seaweedfs");
        String script = String.valueOf(((List<?>) seaweedfs.get("command")).getFirst());
        assertThat(script).contains("\"accessKey\": \"$S3_PLATFORM_ACCESS_KEY\"")
                .contains("\"Admin:$FEDEX_S3_BUCKET\"", "\"Write:$FEDEX_S3_BUCKET\"")
                .contains("-s3.config=/tmp/s3.json").contains("-s3.port=8333");
        Map<String, String> server = ComposeFile.environment(seaweedfs);
        for (String service : List.of("coordinator", "registry")) {
            Map<String, String> env = ComposeFile.environment(ComposeFile.service(compose, service));
            assertThat(env).as(service).containsEntry("FEDEX_S3_ENDPOINT", "http://seaweedfs:8333")
                    .containsEntry("FEDEX_S3_BUCKET", server.get("FEDEX_S3_BUCKET"))
                    .containsEntry("FEDEX_S3_ACCESS_KEY", server.get("S3_PLATFORM_ACCESS_KEY"))
                    .containsEntry("FEDEX_S3_SECRET_KEY", server.get("S3_PLATFORM_SECRET_KEY"));
        }
        assertThat(String.join(" ", healthTest("seaweedfs"))).contains("127.0.0.1:8333/healthz");
    }

    @Test
    void thirdPartyImagesArePinnedByTagAndDigest() {
        for (String name : List.of("postgres", "seaweedfs")) {
            assertThat(String.valueOf(ComposeFile.service(compose, name).get("image"))).as(name)
                    .matches("[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}");
        }
        assertThat(RepositoryFiles.read(RepositoryFiles.resolve("docker-compose.yml"))).doesNotContainIgnoringCase("minio");
    }

    @Test
    void workersScaleBecauseNothingInThemIsUniquePerHost() {
        Map<String, Object> worker = ComposeFile.service(compose, "worker");
        assertThat(worker).doesNotContainKeys("container_name", "ports", "hostname");
        // Spring resolves ${HOSTNAME} inside the value: every replica registers under its own name.
        assertThat(ComposeFile.environment(worker).get("FEDEX_WORKER_NAME")).isEqualTo("worker-${HOSTNAME}");
        assertThat(ComposeFile.service(compose, "worker")).doesNotContainKey("profiles");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theGpuWorkerReservesAnNvidiaGpuUnderTheGpuProfile() {
        Map<String, Object> gpu = ComposeFile.service(compose, "worker-gpu");
        assertThat((List<String>) gpu.get("profiles")).containsExactly("gpu");
        Map<String, Object> reservations = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                gpu.get("deploy")).get("resources")).get("reservations");
        assertThat((List<Map<String, Object>>) reservations.get("devices")).singleElement().satisfies(device -> {
            assertThat(device).containsEntry("driver", "nvidia").containsEntry("count", 1);
            assertThat((List<String>) device.get("capabilities")).containsExactly("gpu");
        });
        // CUDA libtorch is in the GPU image: neither worker downloads anything at start.
        assertThat(ComposeFile.environment(gpu)).containsEntry("DJL_OFFLINE", "true");
        assertThat(ComposeFile.environment(ComposeFile.service(compose, "worker"))).containsEntry("DJL_OFFLINE", "true");
    }

    @Test
    void platformServicesSetOnlyVariablesTheirServiceReads() {
        PLATFORM.forEach((service, module) -> assertThat(
                ComposeFile.environment(ComposeFile.service(compose, service)).keySet())
                .as("%s: variables %s's application.yml (or Spring, DJL) reads", service, module)
                .isNotEmpty()
                .allMatch(n -> RepositoryFiles.isReadBy(module, n)));
    }

    @Test
    void eachWorkerPoolsDefaultTokenMatchesItsOwnCredential() {
        Map<String, String> coordinator = ComposeFile.environment(ComposeFile.service(compose, "coordinator"));
        String cpu = ComposeFile.environment(ComposeFile.service(compose, "worker")).get("FEDEX_WORKER_TOKEN");
        String gpu = ComposeFile.environment(ComposeFile.service(compose, "worker-gpu")).get("FEDEX_WORKER_TOKEN");
        assertThat(cpu).isNotEqualTo(gpu);
        assertThat(dev.fedexlora.deploy.k8s.Hashes.sha256(cpu))
                .isEqualTo(coordinator.get("FEDEX_COORDINATOR_SECURITY_WORKERS_0_SHA256"));
        assertThat(dev.fedexlora.deploy.k8s.Hashes.sha256(gpu))
                .isEqualTo(coordinator.get("FEDEX_COORDINATOR_SECURITY_WORKERS_1_SHA256"));
    }

    @Test
    void defaultRegistryTokenIsThePublisherTheRegistryAccepts() {
        String token = ComposeFile.environment(ComposeFile.service(compose, "coordinator")).get("FEDEX_REGISTRY_TOKEN");
        Map<String, String> registry = ComposeFile.environment(ComposeFile.service(compose, "registry"));
        assertThat(dev.fedexlora.deploy.k8s.Hashes.sha256(token))
                .isEqualTo(registry.get("FEDEX_REGISTRY_PUBLISHER_TOKEN_SHA256"))
                .isNotEqualTo(registry.get("FEDEX_REGISTRY_ADMIN_TOKEN_SHA256"))
                .isNotEqualTo(registry.get("FEDEX_REGISTRY_READER_TOKEN_SHA256"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void portsArePublishedOnLoopbackUnlessAnAddressIsGiven() {
        for (String name : List.of("seaweedfs", "registry", "coordinator")) {
            // as Compose reads it without .env: the defaults, so 127.0.0.1 unless FEDEX_PUBLISH_ADDRESS says else
            List<Object> ports = (List<Object>) ComposeFile.service(compose, name).get("ports");
            assertThat(ports).as(name).isNotEmpty()
                    .allSatisfy(p -> assertThat(String.valueOf(p)).matches("127\\.0\\.0\\.1:\\d+:\\d+"));
        }
    }

    @Test
    void variableInterpolationFollowsComposeRules() {
        assertThat(ComposeFile.interpolate("${A:-x}/${B-y}:${C}")).isEqualTo("x/y:");
        assertThat(ComposeFile.interpolate("w-$${HOSTNAME}")).isEqualTo("w-${HOSTNAME}");
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> dependsOn(String service) {
        Map<String, Object> deps = (Map<String, Object>) ComposeFile.service(compose, service).get("depends_on");
        Map<String, String> conditions = new java.util.TreeMap<>();
        deps.forEach((k, v) -> conditions.put(k, String.valueOf(((Map<String, Object>) v).get("condition"))));
        return conditions;
    }

    @SuppressWarnings("unchecked")
    private List<String> healthTest(String service) {
        Map<String, Object> hc = (Map<String, Object>) ComposeFile.service(compose, service).get("healthcheck");
        return ((List<Object>) hc.get("test")).stream().map(String::valueOf).toList();
    }
}
