package dev.fedexlora.registry.catalog;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface ModelRepository extends JpaRepository<Model, Long> {

    Optional<Model> findByName(String name);

    /** The model row locked until the transaction ends: serialises version numbering per model. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select m from Model m where m.name = :name")
    Optional<Model> lockByName(@Param("name") String name);

    /** Models whose name, architecture or a tag contains {@code pattern} (lower-case, with % wildcards). */
    @Query(value = "select m from Model m where lower(m.name) like :pattern or lower(m.architecture) like :pattern"
            + " or exists (select 1 from Model m2 join m2.tags t where m2 = m and lower(t) like :pattern)",
            countQuery = "select count(m) from Model m where lower(m.name) like :pattern"
            + " or lower(m.architecture) like :pattern"
            + " or exists (select 1 from Model m2 join m2.tags t where m2 = m and lower(t) like :pattern)")
    Page<Model> search(@Param("pattern") String pattern, Pageable pageable);
}
