package dev.fedexlora.coordinator.task;

import java.util.UUID;

/** Object keys of the coordinator's prefix {@code jobs/} (docs/architecture.md, Artifacts). */
public final class TaskKeys {

    private TaskKeys() {
    }

    /** {@code jobs/{job}/rounds/{r}/tasks/{task}/{file}}: one client's upload, through a presigned PUT. */
    public static String upload(TaskEntity task, String file) {
        return "jobs/" + task.getJobId() + "/rounds/" + task.getRoundNumber() + "/tasks/" + task.getId() + "/" + file;
    }

    /** {@code jobs/{job}/rounds/{r}/version/{file}}: the artifacts of the version a round produced. */
    public static String version(UUID jobId, int round, String file) {
        return "jobs/" + jobId + "/rounds/" + round + "/version/" + file;
    }
}
