/**
 * Development servers behind the Spring profile {@code embedded} only: PostgreSQL (zonky) and S3 (s3proxy) under
 * {@code FEDEX_EMBEDDED_DIR}. Production images never start them; without the profile a missing database URL stops
 * the service at start with a clear message.
 */
package dev.fedexlora.platform.embedded;
