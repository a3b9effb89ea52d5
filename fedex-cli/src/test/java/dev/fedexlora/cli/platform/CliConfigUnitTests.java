package dev.fedexlora.cli.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigUnitTests {

    @TempDir
    Path home;

    private Path config(String text) throws IOException {
        Path file = Files.createDirectories(home.resolve(".config/fedex")).resolve("config");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void defaultsWithoutEnvironmentOrFile() {
        CliConfig c = CliConfig.load(Map.of(), home);
        assertThat(c.coordinator()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(c.registry()).isEqualTo(URI.create("http://localhost:8081"));
        assertThat(c.token()).isEqualTo("dev-submitter");
        assertThat(c.registryToken()).isEqualTo("dev-registry-admin");
        assertThat(c.source()).isNull();
    }

    @Test
    void theFileFillsWhatTheEnvironmentLeavesOpen() throws IOException {
        Path file = config("""
                # platform of the team
                coordinator = https://coordinator.example.org
                registry=https://registry.example.org
                token = file-token
                registry-token = registry-file-token
                """);
        CliConfig fromFile = CliConfig.load(Map.of(), home);
        assertThat(fromFile.coordinator()).isEqualTo(URI.create("https://coordinator.example.org"));
        assertThat(fromFile.token()).isEqualTo("file-token");
        assertThat(fromFile.registryToken()).isEqualTo("registry-file-token");
        assertThat(fromFile.source()).isEqualTo(file);

        CliConfig env = CliConfig.load(Map.of("FEDEX_TOKEN", "env-token", "FEDEX_REGISTRY_URL", "http://r:9"), home);
        assertThat(env.token()).isEqualTo("env-token");
        assertThat(env.registry()).isEqualTo(URI.create("http://r:9"));
        assertThat(env.coordinator()).isEqualTo(URI.create("https://coordinator.example.org"));
        assertThat(env.withUrls(URI.create("http://c:1"), null).coordinator()).isEqualTo(URI.create("http://c:1"));
    }

    @Test
    void fedexConfigAndXdgConfigHomeNameTheFile() throws IOException {
        Path other = Files.writeString(home.resolve("team.conf"), "token = team\n");
        assertThat(CliConfig.load(Map.of("FEDEX_CONFIG", other.toString()), home).token()).isEqualTo("team");
        Path xdg = Files.createDirectories(home.resolve("xdg/fedex"));
        Files.writeString(xdg.resolve("config"), "token = xdg\n");
        assertThat(CliConfig.load(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()), home).token())
                .isEqualTo("xdg");
        assertThatThrownBy(() -> CliConfig.load(Map.of("FEDEX_CONFIG", home.resolve("missing").toString()), home))
                .hasMessageContaining("FEDEX_CONFIG").hasMessageContaining("missing");
    }

    @Test
    void malformedFilesNameTheFileLineAndKey() throws IOException {
        Path file = config("coordinator = http://localhost:8080\ntokn = x\n");
        assertThatThrownBy(() -> CliConfig.load(Map.of(), home)).hasMessageContaining(file + " line 2")
                .hasMessageContaining("unknown key 'tokn'");
        config("just words\n");
        assertThatThrownBy(() -> CliConfig.load(Map.of(), home)).hasMessageContaining("line 1")
                .hasMessageContaining("key = value");
        config("registry = ftp://registry\n");
        assertThatThrownBy(() -> CliConfig.load(Map.of(), home)).hasMessageContaining("'registry'")
                .hasMessageContaining("not an http(s) URL");
        config("token = a\ntoken = b\n");
        assertThatThrownBy(() -> CliConfig.load(Map.of(), home)).hasMessageContaining("line 2")
                .hasMessageContaining("set twice");
        config("token =\n");
        assertThatThrownBy(() -> CliConfig.load(Map.of(), home)).hasMessageContaining("'token' has no value");
        assertThatThrownBy(() -> CliConfig.load(Map.of("FEDEX_COORDINATOR_URL", "not a url"), home.resolve("none")))
                .hasMessageContaining("FEDEX_COORDINATOR_URL");
    }
}
