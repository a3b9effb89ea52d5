package dev.fedexlora.registry.version;

/** A time-limited download URL of an artifact, with the checksum and size the download must have. */
public record PresignedArtifact(String url, String sha256, long size) {
}
