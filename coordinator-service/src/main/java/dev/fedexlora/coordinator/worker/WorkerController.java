package dev.fedexlora.coordinator.worker;

import java.security.Principal;

import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/workers")
class WorkerController {

    private final WorkerService workers;

    WorkerController(WorkerService workers) {
        this.workers = workers;
    }

    @PostMapping
    WorkerRegistration.Registered register(@Valid @RequestBody WorkerRegistration body, Principal principal) {
        return new WorkerRegistration.Registered(workers.register(body, principal.getName()));
    }
}
