package dev.fedexlora.registry.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fedexlora.platform.embedded.EmbeddedInfrastructureAutoConfiguration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.data.domain.PageRequest;

/**
 * The JPA slice on the real database: an embedded PostgreSQL (profile {@code embedded}, as in the test
 * configuration) migrated by Flyway, without the web layer or the object store. The model search is a JPQL query
 * over name, architecture and tags.
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@ImportAutoConfiguration(EmbeddedInfrastructureAutoConfiguration.class)
class ModelRepositoryIntegrationTests {

    @Autowired
    ModelRepository models;

    @Test
    void searchMatchesNameArchitectureOrATagCaseInsensitively() {
        Model bert = new Model("repo-bert-tiny", "BertModel", "test", Instant.now());
        bert.replaceTags(Set.of("Medical"));
        models.save(bert);
        models.save(new Model("repo-gpt", "GPT2LMHeadModel", "test", Instant.now()));

        assertThat(models.search("%medical%", PageRequest.of(0, 10)).map(Model::name)).containsExactly("repo-bert-tiny");
        assertThat(models.search("%gpt2%", PageRequest.of(0, 10)).map(Model::name)).containsExactly("repo-gpt");
        assertThat(models.search("%repo-%", PageRequest.of(0, 10)).getTotalElements()).isEqualTo(2);
        assertThat(models.findByName("repo-gpt")).isPresent();
        assertThat(models.findByName("REPO-GPT")).isEmpty();
    }
}
