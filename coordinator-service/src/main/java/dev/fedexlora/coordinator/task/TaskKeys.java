package dev.fedexlora.coordinator.task;

import java.util.UUID;

/** Object keys of the coordinator's prefix {@code jobs/} (docs/architecture.md, Artifacts). */
public final class TaskKeys {

    private TaskKeys() {
    }

    /**
     * {@code jobs/{job}/rounds/{r}/tasks/{task}/{attempt}/{file}}: one client's upload, through a presigned PUT. Each
     * attempt of a task has its own key, so a late PUT of an earlier attempt (a worker whose lease expired) can never
     * replace what a later attempt uploaded and had verified.
     */
    public static String upload(TaskEntity task, String file) {
        return "jobs/" + task.getJobId() + "/rounds/" + task.getRoundNumber() + "/tasks/" + task.getId() + "/"
                + task.getAttempts() + "/" + file;
    }

    /**
     * {@code jobs/{job}/rounds/{r}/verified/{task}/{attempt}/{file}}: the coordinator's own copy of the bytes it verified at
     * completion. No presigned URL names it, so what a round aggregates after a restart cannot have been changed by
     * a PUT through the upload's URL, which stays valid until the lease would have expired.
     */
    public static String verified(TaskEntity task, String file) {
        return "jobs/" + task.getJobId() + "/rounds/" + task.getRoundNumber() + "/verified/" + task.getId() + "/"
                + task.getAttempts() + "/" + file;
    }

    /** {@code jobs/{job}/rounds/{r}/version/{file}}: the artifacts of the version a round produced. */
    public static String version(UUID jobId, int round, String file) {
        return "jobs/" + jobId + "/rounds/" + round + "/version/" + file;
    }
}
