/**
 * The object store (S3 through the MinIO client): presigned URLs scoped to one task's keys, reads for
 * verification and aggregation, writes of version artifacts, and its readiness health indicator.
 */
package dev.fedexlora.coordinator.storage;
