package dev.fedexlora.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fedexlora.deploy.Executables;
import dev.fedexlora.deploy.RepositoryFiles;

/**
 * {@code docker-compose config -q} validates the file against the Compose schema without a Docker engine (Debian's
 * {@code docker-compose}, v1). Skipped, by assumption, where the binary is not installed
 * ({@code apt-get install -y docker-compose}).
 */
class DockerComposeConfigIntegrationTests {

    @TempDir
    Path tmp;

    @BeforeEach
    void requireDockerCompose() {
        assumeTrue(Executables.onPath("docker-compose"), "docker-compose is not installed");
    }

    @Test
    void composeFileIsValidWithAndWithoutTheGpuProfile() throws Exception {
        Path file = RepositoryFiles.resolve("docker-compose.yml");
        assertThat(run(file, "config", "-q")).isEqualTo(new Result(0, ""));
        assertThat(run(file, "--profile", "gpu", "config", "-q").exitCode()).isZero();
        Result services = run(file, "--profile", "gpu", "config", "--services");
        assertThat(services.output().lines().toList()).containsExactlyInAnyOrder("postgres", "seaweedfs",
                "registry", "coordinator", "worker", "worker-gpu");
    }

    @Test
    void theExampleEnvironmentFileIsValidToo() throws Exception {
        Path env = RepositoryFiles.resolve(".env.example");
        Result r = run(RepositoryFiles.resolve("docker-compose.yml"), "--env-file", env.toString(), "config");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("POSTGRES_PASSWORD: change-me-postgres");
    }

    @Test
    void aSchemaViolationIsCaught() throws Exception {
        String broken = Files.readString(RepositoryFiles.resolve("docker-compose.yml"))
                .replace("count: 1", "count: [1]");
        Path file = tmp.resolve("docker-compose.yml");
        Files.writeString(file, broken);
        Result r = run(file, "config", "-q");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("count");
    }

    record Result(int exitCode, String output) {
    }

    private static Result run(Path composeFile, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-f", composeFile.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(composeFile.getParent().toFile()).redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output.strip());
    }
}
