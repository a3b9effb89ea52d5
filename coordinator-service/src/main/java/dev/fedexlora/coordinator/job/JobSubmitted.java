package dev.fedexlora.coordinator.job;

import java.util.UUID;

/** A job was stored; published inside the submitting transaction, so its first round opens in the same commit. */
public record JobSubmitted(UUID jobId) {
}
