package dev.fedexlora.registry.version;

import dev.fedexlora.registry.catalog.Model;
import java.util.List;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface VersionNoteRepository extends JpaRepository<VersionNote, VersionKey> {

    @Query("""
            select n.key.number from VersionNote n
            where n.key.modelId = :modelId and n.archivedAt is not null order by n.key.number""")
    List<Integer> archivedNumbers(long modelId);

    /** A model's versions without the archived ones, newest first. */
    @Query(value = """
            select v from ModelVersion v where v.model = :model and not exists (
                select 1 from VersionNote n where n.key.modelId = v.model.id and n.key.number = v.number
                  and n.archivedAt is not null)
            order by v.number desc""",
            countQuery = """
            select count(v) from ModelVersion v where v.model = :model and not exists (
                select 1 from VersionNote n where n.key.modelId = v.model.id and n.key.number = v.number
                  and n.archivedAt is not null)""")
    Page<ModelVersion> activeVersions(Model model, Pageable pageable);
}
