package dev.fedexlora.platform.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

import dev.fedexlora.platform.storage.S3Properties;

/**
 * Development servers, only with the Spring profile {@code embedded}: a PostgreSQL (zonky binaries) when no
 * {@code spring.datasource.url} ({@code FEDEX_DB_URL}) is set, and an s3proxy when no {@code fedex.s3.endpoint} is
 * set. Without the profile nothing embedded ever starts: a service with a database and no URL stops at start with a
 * message naming what to set, before any other bean is created.
 */
@AutoConfiguration(beforeName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@EnableConfigurationProperties({EmbeddedProperties.class, S3Properties.class})
public class EmbeddedInfrastructureAutoConfiguration {

    static final String PROFILE = "embedded";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedInfrastructureAutoConfiguration.class);

    /** Fails the start of a service that has a database but neither a URL nor the profile {@code embedded}. */
    @Bean
    @ConditionalOnClass(name = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
    static BeanFactoryPostProcessor databaseUrlRequired(Environment environment) {
        return beanFactory -> {
            if (!environment.matchesProfiles(PROFILE) && blank(environment.getProperty("spring.datasource.url"))) {
                throw new IllegalStateException("No database configured: set FEDEX_DB_URL (with FEDEX_DB_USER and "
                        + "FEDEX_DB_PASSWORD), or start with SPRING_PROFILES_ACTIVE=embedded for a development "
                        + "PostgreSQL under FEDEX_EMBEDDED_DIR");
            }
        };
    }

    @Configuration(proxyBeanMethods = false)
    @Profile(PROFILE)
    @Conditional(NoDatasourceUrl.class)
    static class EmbeddedPostgresConfiguration {

        @Bean(destroyMethod = "close")
        EmbeddedPostgres embeddedPostgres(EmbeddedProperties embedded) throws IOException {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setPort(embedded.postgresPort());
            if (embedded.persistent()) {
                Path dir = Path.of(embedded.dir()).resolve(embedded.postgresName()).toAbsolutePath().normalize();
                Files.createDirectories(dir);
                // A service killed with SIGKILL leaves its PostgreSQL running on this directory: stop it first.
                StalePostgres.stopIfRunning(dir, Duration.ofSeconds(30));
                builder.setDataDirectory(dir).setCleanDataDirectory(false);
            }
            EmbeddedPostgres pg = builder.start();
            log.info("Embedded PostgreSQL on port {} (data: {})", pg.getPort(),
                    embedded.persistent() ? Path.of(embedded.dir()).resolve(embedded.postgresName()) : "temporary");
            return pg;
        }

        @Bean(destroyMethod = "close")
        HikariDataSource dataSource(EmbeddedPostgres pg) {
            HikariDataSource ds = new HikariDataSource();
            ds.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
            ds.setUsername("postgres");
            ds.setPassword("postgres");
            ds.setMaximumPoolSize(10);
            return ds;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Profile(PROFILE)
    @ConditionalOnProperty(prefix = "fedex.embedded", name = "s3", havingValue = "true", matchIfMissing = true)
    @Conditional(NoS3Endpoint.class)
    static class EmbeddedS3Configuration {

        @Bean
        EmbeddedS3 embeddedS3(EmbeddedProperties embedded, S3Properties s3) throws Exception {
            Path dir = embedded.persistent() ? Path.of(embedded.dir()).resolve("s3") : null;
            return EmbeddedS3.start(dir, embedded.s3Host(), embedded.s3Port(), s3.accessKey(), s3.secretKey());
        }
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static final class NoDatasourceUrl implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            return blank(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }

    static final class NoS3Endpoint implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            return blank(context.getEnvironment().getProperty("fedex.s3.endpoint"));
        }
    }
}
