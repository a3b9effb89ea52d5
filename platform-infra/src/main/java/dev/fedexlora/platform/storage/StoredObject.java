package dev.fedexlora.platform.storage;

/** What was read or written: the object's key, the SHA-256 (lower-case hex) of its bytes, and its size. */
public record StoredObject(String key, String sha256, long size) {
}
