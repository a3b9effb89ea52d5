package dev.fedexlora.registry.version;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface AliasRepository extends JpaRepository<Alias, Alias.Key> {

    @Query("select a from Alias a where a.key.modelId = :modelId order by a.key.name")
    List<Alias> findByModelId(long modelId);
}
