package dev.fedexlora.coordinator.job;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.fedexlora.coordinator.event.JobEventStream;

/** Jobs: submit, list, read, cancel, and follow their events. Rounds and tasks of a job: RoundController, TaskController. */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

    private final JobService jobs;
    private final JobEventStream stream;

    JobController(JobService jobs, JobEventStream stream) {
        this.jobs = jobs;
        this.stream = stream;
    }

    @PostMapping
    ResponseEntity<Job> create(@Valid @RequestBody JobRequest request) {
        Job job = jobs.create(request);
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + job.id())).body(job);
    }

    @GetMapping
    List<Job> list(@RequestParam(required = false) JobState state) {
        return jobs.list(state);
    }

    @GetMapping("/{id}")
    Job get(@PathVariable UUID id) {
        return jobs.get(id);
    }

    @PostMapping("/{id}/cancel")
    Job cancel(@PathVariable UUID id, Principal principal) {
        return jobs.cancel(id, principal.getName());
    }

    /** Server-sent events; resumes after {@code Last-Event-ID} when the client sends one. */
    @GetMapping(path = "/{id}/events", produces = "text/event-stream")
    SseEmitter events(@PathVariable UUID id,
                      @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventId) {
        jobs.requireExists(id);
        return stream.open(id, lastEventId == null ? 0 : lastEventId);
    }
}
