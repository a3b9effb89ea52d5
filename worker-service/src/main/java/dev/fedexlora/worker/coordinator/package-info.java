/** The coordinator's worker-facing REST protocol: register, lease, heartbeat, complete, fail. */
package dev.fedexlora.worker.coordinator;
