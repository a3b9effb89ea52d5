package dev.fedexlora.registry.version;

import dev.fedexlora.registry.catalog.Model;
import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface VersionRepository extends JpaRepository<ModelVersion, Long> {

    Optional<ModelVersion> findByModelAndNumber(Model model, int number);

    Page<ModelVersion> findByModelOrderByNumberDesc(Model model, Pageable pageable);

    List<ModelVersion> findByModelOrderByNumber(Model model);

    @Query("select max(v.number) from ModelVersion v where v.model = :model")
    Optional<Integer> maxNumber(Model model);

    Optional<ModelVersion> findByModelAndSourceJobIdAndSourceRound(Model model, String jobId, int round);

    Optional<ModelVersion> findFirstByModelAndSourceJobIdOrderByNumberDesc(Model model, String jobId);

    long countByModel(Model model);
}
