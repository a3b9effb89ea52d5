/**
 * Infrastructure for standalone runs and tests: an embedded PostgreSQL when no {@code spring.datasource.url}
 * is configured, and an embedded s3proxy when no S3 endpoint is configured. Deployments configure real servers
 * and none of this starts.
 */
package dev.fedexlora.registry.infra;
