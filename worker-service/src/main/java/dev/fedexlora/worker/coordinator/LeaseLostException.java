package dev.fedexlora.worker.coordinator;

import java.util.UUID;

/** The coordinator took the task back (expired or reassigned lease): the work on it stops and is not reported. */
public final class LeaseLostException extends RuntimeException {

    public LeaseLostException(UUID taskId, String detail) {
        super("lease of task " + taskId + " was lost" + (detail == null || detail.isBlank() ? "" : ": " + detail));
    }
}
