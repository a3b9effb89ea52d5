package dev.fedexlora.coordinator.task;

import java.security.Principal;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/tasks")
class TaskController {

    private final TaskService tasks;

    TaskController(TaskService tasks) {
        this.tasks = tasks;
    }

    /** 200 with a lease, or 204 when no task is offered for this worker's clients. */
    @PostMapping("/lease")
    ResponseEntity<TaskLease> lease(@Valid @RequestBody TaskRequests.WorkerRef body, Principal principal) {
        return tasks.lease(body.workerId(), principal.getName()).map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    @PostMapping("/{id}/heartbeat")
    TaskRequests.Heartbeat heartbeat(@PathVariable UUID id, @Valid @RequestBody TaskRequests.WorkerRef body,
                                     Principal principal) {
        return new TaskRequests.Heartbeat(tasks.heartbeat(id, body.workerId(), principal.getName()));
    }

    @PostMapping("/{id}/complete")
    TaskRequests.CompletionResult complete(@PathVariable UUID id, @Valid @RequestBody TaskRequests.Completion body,
                                           Principal principal) {
        return tasks.complete(id, body, principal.getName());
    }

    @PostMapping("/{id}/fail")
    Map<String, Object> fail(@PathVariable UUID id, @Valid @RequestBody TaskRequests.Failure body,
                             Principal principal) {
        tasks.fail(id, body, principal.getName());
        return Map.of("taskId", id, "failed", true);
    }
}
