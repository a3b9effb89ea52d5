package dev.fedexlora.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The coordinator's feature packages (job, round, task, worker, event, registry, security, web) form a graph
 * without cycles and use each other only through what each exposes; a new cycle or a reach into another feature's
 * internals fails here. Dependencies point job ← round, job ← task ← round: a job announces itself with
 * {@code JobSubmitted}/{@code JobCancelled}, the round offers tasks through {@code task.Tasks}.
 */
class ModuleBoundariesUnitTests {

    @Test
    void featurePackagesHaveNoCyclesAndUseEachOtherThroughTheirApiOnly() {
        ApplicationModules modules = ApplicationModules.of(CoordinatorApplication.class);
        for (String feature : new String[] {"job", "round", "task", "worker", "event"}) {
            assertThat(modules.getModuleByName(feature)).as("module %s", feature).isPresent();
        }
        modules.verify();
    }
}
