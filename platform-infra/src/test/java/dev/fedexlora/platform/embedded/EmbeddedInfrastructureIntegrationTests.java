package dev.fedexlora.platform.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.fedexlora.platform.storage.ObjectStore;
import dev.fedexlora.platform.storage.ObjectStoreAutoConfiguration;

/**
 * The development servers start with the profile {@code embedded} only; without it a service with no database URL
 * (or no S3 endpoint) does not start, and says what to set.
 */
class EmbeddedInfrastructureIntegrationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(EmbeddedInfrastructureAutoConfiguration.class, ObjectStoreAutoConfiguration.class));

    @TempDir
    Path tmp;

    @Test
    void withoutTheProfileAndWithoutADatabaseUrlTheServiceRefusesToStartAndNamesTheSettings() {
        runner.withPropertyValues("fedex.s3.endpoint=http://127.0.0.1:1").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("FEDEX_DB_URL").hasMessageContaining("SPRING_PROFILES_ACTIVE=embedded");
        });
    }

    @Test
    void withoutTheProfileADatabaseUrlStartsNothingEmbeddedAndAMissingS3EndpointIsNamed() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.invalid/x").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("FEDEX_S3_ENDPOINT");
        });
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.invalid/x",
                "fedex.s3.endpoint=http://127.0.0.1:1").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EmbeddedS3.class).doesNotHaveBean(DataSource.class);
            assertThat(context.getBean("objectStoreHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.DOWN);
        });
    }

    @Test
    void theEmbeddedProfileStartsPostgresAndS3UnderTheEmbeddedDirectoryAndKeepsObjectsAcrossRestarts() {
        // "./" segments as in the default ./data: s3proxy refuses an unnormalised root as path traversal
        String dir = tmp + "/./data";
        ApplicationContextRunner embedded = runner.withPropertyValues("spring.profiles.active=embedded",
                "fedex.embedded.dir=" + dir, "fedex.embedded.postgres-name=test-pg", "fedex.embedded.s3-port=0");
        embedded.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("select 40 + 2",
                    Integer.class)).isEqualTo(42);
            context.getBean(ObjectStore.class).put("models/m/config.json", "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(context.getBean("objectStoreHealthIndicator", HealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        });
        assertThat(Files.isDirectory(tmp.resolve("data/test-pg"))).isTrue();
        assertThat(Files.isDirectory(tmp.resolve("data/s3/fedex"))).isTrue();
        embedded.run(context -> assertThat(context.getBean(ObjectStore.class).read("models/m/config.json"))
                .isEqualTo("{}".getBytes(StandardCharsets.UTF_8)));
    }
}
