package dev.fedexlora.registry.version;

/** Where a version came from: an uploaded checkpoint, an imported bundled model, or a job round. */
public enum SourceKind {
    UPLOAD, IMPORT, JOB
}
