/**
 * The object store every service shares (S3 through the MinIO client): one class, one error model, streaming reads
 * and writes hashed on the way, presigned URLs on the public endpoint, and its readiness health indicator.
 */
package dev.fedexlora.platform.storage;
