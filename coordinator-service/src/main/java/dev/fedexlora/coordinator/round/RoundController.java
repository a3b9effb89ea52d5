package dev.fedexlora.coordinator.round;

import java.util.List;
import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.fedexlora.coordinator.job.JobService;

/** A job's rounds, every attempt, oldest first. */
@RestController
class RoundController {

    private final JobService jobs;
    private final RoundService rounds;

    RoundController(JobService jobs, RoundService rounds) {
        this.jobs = jobs;
        this.rounds = rounds;
    }

    @GetMapping("/api/v1/jobs/{id}/rounds")
    List<RoundView> rounds(@PathVariable UUID id) {
        jobs.requireExists(id);
        return rounds.views(id);
    }
}
