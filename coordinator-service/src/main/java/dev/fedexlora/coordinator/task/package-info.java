/**
 * Tasks: one client's work in one round. Claimed with FOR UPDATE SKIP LOCKED under a lease renewed by heartbeat;
 * an expired lease offers the task again. Completion verifies the upload (checksums, PEFT layout, rank, shapes,
 * finiteness) before the task counts; a repeated completion is answered with the first one's result.
 */
package dev.fedexlora.coordinator.task;
