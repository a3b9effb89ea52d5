/**
 * Job events: stored with the transition they describe (table {@code job_events}) and streamed as server-sent
 * events, replayable from any event id.
 */
package dev.fedexlora.coordinator.event;
