package dev.fedexlora.coordinator.task;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.fedexlora.coordinator.job.JobService;
import dev.fedexlora.core.protocol.TaskLease;

@RestController
@RequestMapping("/api/v1")
class TaskController {

    private final TaskService tasks;
    private final JobService jobs;

    TaskController(TaskService tasks, JobService jobs) {
        this.tasks = tasks;
        this.jobs = jobs;
    }

    /** A job's tasks, oldest first. */
    @GetMapping("/jobs/{id}/tasks")
    List<TaskView> forJob(@PathVariable UUID id) {
        jobs.requireExists(id);
        return tasks.views(id);
    }

    /** 200 with a lease, or 204 when no task is offered for this worker's clients. */
    @PostMapping("/tasks/lease")
    ResponseEntity<TaskLease> lease(@Valid @RequestBody TaskRequests.WorkerRef body, Principal principal) {
        return tasks.lease(body.workerId(), principal.getName()).map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    @PostMapping("/tasks/{id}/heartbeat")
    TaskRequests.Heartbeat heartbeat(@PathVariable UUID id, @Valid @RequestBody TaskRequests.WorkerRef body,
                                     Principal principal) {
        return tasks.heartbeat(id, body.workerId(), principal.getName());
    }

    @PostMapping("/tasks/{id}/complete")
    TaskRequests.CompletionResult complete(@PathVariable UUID id, @Valid @RequestBody TaskRequests.Completion body,
                                           Principal principal) {
        return tasks.complete(id, body, principal.getName());
    }

    @PostMapping("/tasks/{id}/fail")
    Map<String, Object> fail(@PathVariable UUID id, @Valid @RequestBody TaskRequests.Failure body,
                             Principal principal) {
        tasks.fail(id, body, principal.getName());
        return Map.of("taskId", id, "failed", true);
    }
}
