package dev.fedexlora.coordinator.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.test.context.ContextConfiguration;

/**
 * The JPA slice of the coordinator on the real database: its own database of the embedded PostgreSQL, migrated by
 * Flyway, with the entities and repositories and nothing else (no web layer, no object store, no registry, no
 * scheduler). Every class with this annotation shares one context and one database; a test that commits (to see
 * another transaction's locks) uses client ids of its own.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@DataJpaTest(showSql = false)
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
// the job request's attribute converter reads and writes with the application's JSON mapper
@ImportAutoConfiguration(JacksonAutoConfiguration.class)
@Import(SqlFixtures.class)
@ContextConfiguration(initializers = RepositorySlice.Database.class)
public @interface RepositorySlice {

    /** Points the slice at one fresh database of the test PostgreSQL, created once per test JVM. */
    final class Database implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        private static String url;

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            synchronized (Database.class) {
                if (url == null) {
                    url = TestInfrastructure.newDatabaseUrl();
                }
            }
            TestPropertyValues.of("spring.datasource.url=" + url, "spring.datasource.username=postgres",
                    "spring.datasource.password=postgres").applyTo(context);
        }
    }
}
