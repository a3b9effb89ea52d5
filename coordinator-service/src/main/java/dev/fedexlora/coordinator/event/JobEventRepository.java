package dev.fedexlora.coordinator.event;

import java.util.List;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface JobEventRepository extends JpaRepository<JobEventEntity, Long> {

    List<JobEventEntity> findByJobIdAndIdGreaterThanOrderByIdAsc(UUID jobId, long afterId);

    long countByJobIdAndType(UUID jobId, String type);
}
