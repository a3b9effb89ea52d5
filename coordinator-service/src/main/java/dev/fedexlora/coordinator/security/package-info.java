/**
 * API security: bearer tokens configured by SHA-256 under {@code fedex.coordinator.security.tokens}, each with one
 * role (SUBMITTER, VIEWER), and one credential per worker under {@code fedex.coordinator.security.workers} (role
 * WORKER, bound to the clients it may host). Unauthenticated calls get 401 and wrong roles 403, both as problem details.
 */
package dev.fedexlora.coordinator.security;
