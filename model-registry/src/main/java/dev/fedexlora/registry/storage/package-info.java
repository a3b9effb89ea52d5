/**
 * The object store (S3 through the MinIO client): one bucket, keys under {@code models/} written by the registry
 * and keys under {@code jobs/} read from the coordinator. Every read that matters hashes what it reads.
 */
package dev.fedexlora.registry.storage;
