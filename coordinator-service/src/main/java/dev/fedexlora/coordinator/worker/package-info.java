/**
 * Workers: registration (idempotent per token and name) with the clients each hosts and their data sets, and the
 * check that a worker id belongs to the calling token.
 */
package dev.fedexlora.coordinator.worker;
