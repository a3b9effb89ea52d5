package dev.fedexlora.registry.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fedexlora.platform.embedded.EmbeddedInfrastructureAutoConfiguration;
import dev.fedexlora.registry.catalog.Model;
import dev.fedexlora.registry.catalog.ModelRepository;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.PageRequest;

/**
 * The version tables on the real database (embedded PostgreSQL migrated by Flyway, no web layer, no object
 * store): numbering per model, the schema's guarantee that a job round registers at most one version, and the
 * queries that leave archived versions out.
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@ImportAutoConfiguration(EmbeddedInfrastructureAutoConfiguration.class)
class VersionRepositoryIntegrationTests {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Autowired
    ModelRepository models;
    @Autowired
    VersionRepository versions;
    @Autowired
    VersionNoteRepository notes;

    @Test
    void versionsAreNumberedPerModelAndFoundByTheJobRoundThatMadeThem() {
        Model model = models.save(new Model("vr-bert", "BertModel", "test", T0));
        Model other = models.save(new Model("vr-other", "BertModel", "test", T0));
        versions.save(base(model));
        versions.save(round(model, 1, 0, "job-1", 1));
        versions.save(round(model, 2, 1, "job-1", 2));
        versions.saveAndFlush(base(other));

        assertThat(versions.maxNumber(model)).contains(2);
        assertThat(versions.maxNumber(other)).contains(0);
        assertThat(versions.findByModelAndSourceJobIdAndSourceRound(model, "job-1", 2)).get()
                .extracting(ModelVersion::number).isEqualTo(2);
        assertThat(versions.findFirstByModelAndSourceJobIdOrderByNumberDesc(model, "job-1")).get()
                .extracting(ModelVersion::number).isEqualTo(2);
        assertThat(versions.findByModelAndSourceJobIdAndSourceRound(other, "job-1", 2)).isEmpty();
        assertThat(versions.countByModel(model)).isEqualTo(3);
    }

    @Test
    void aJobRoundRegistersAtMostOneVersionOfAModel() {
        Model model = models.save(new Model("vr-once", "BertModel", "test", T0));
        versions.save(base(model));
        versions.saveAndFlush(round(model, 1, 0, "job-2", 1));
        assertThatThrownBy(() -> versions.saveAndFlush(round(model, 2, 1, "job-2", 1)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void archivedVersionsAreLeftOutOfTheActiveList() {
        Model model = models.save(new Model("vr-archive", "BertModel", "test", T0));
        versions.save(base(model));
        versions.save(round(model, 1, 0, "job-3", 1));
        versions.saveAndFlush(round(model, 2, 1, "job-3", 2));
        VersionNote note = new VersionNote(model.id(), 1, T0);
        note.archive(T0);
        notes.saveAndFlush(note);

        assertThat(notes.archivedNumbers(model.id())).containsExactly(1);
        assertThat(notes.activeVersions(model, PageRequest.of(0, 10)).map(ModelVersion::number))
                .containsExactly(2, 0);
        assertThat(versions.findByModelOrderByNumberDesc(model, PageRequest.of(0, 10)).map(ModelVersion::number))
                .containsExactly(2, 1, 0);
    }

    private static ModelVersion base(Model model) {
        return new ModelVersion(model, 0, null, SourceKind.UPLOAD, null, null, null, "{}", "[]", null, T0);
    }

    private static ModelVersion round(Model model, int number, int parent, String job, int round) {
        return new ModelVersion(model, number, parent, SourceKind.JOB, job, round, "FEDEX", "{\"loss\":0.5}", "[]",
                1e-7, T0);
    }
}
