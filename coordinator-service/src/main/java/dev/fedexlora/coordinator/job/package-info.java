/**
 * Jobs: the API resource a user submits ({@code JobRequest}), its durable row and its transitions
 * (RUNNING → SUCCEEDED | FAILED | CANCELLED), and the read endpoints over its rounds, tasks and events.
 */
package dev.fedexlora.coordinator.job;
