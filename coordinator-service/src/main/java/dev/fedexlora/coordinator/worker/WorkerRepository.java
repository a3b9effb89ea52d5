package dev.fedexlora.coordinator.worker;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface WorkerRepository extends JpaRepository<WorkerEntity, UUID> {

    Optional<WorkerEntity> findByName(String name);

    /** Every (client id, {@link HostedDatasets}) announced by any worker. */
    @Query("select key(c), value(c) from WorkerEntity w join w.clients c")
    List<Object[]> allClientDatasets();

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query("update WorkerEntity w set w.lastSeenAt = :now where w.id = :id")
    int seen(@Param("id") UUID id, @Param("now") Instant now);
}
