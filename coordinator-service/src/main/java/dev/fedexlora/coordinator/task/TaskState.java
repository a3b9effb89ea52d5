package dev.fedexlora.coordinator.task;

/**
 * OFFERED → LEASED (claimed by a worker) → DONE (upload verified). LEASED → OFFERED again when the lease expires.
 * LEASED → FAILED when the worker reports failure or its upload is rejected; a FAILED task is offered again
 * until it has used its attempts, and is failed for good when its round closes without it.
 */
public enum TaskState {
    OFFERED, LEASED, DONE, FAILED
}
