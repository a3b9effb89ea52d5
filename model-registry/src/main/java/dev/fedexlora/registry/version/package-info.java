/**
 * Versions of a model: immutable, numbered per model (0 = the base checkpoint), each a delta on its parent
 * (residual, adapter, head) produced by a job round. Registration verifies every artifact's SHA-256 by reading
 * it, copies it under {@code models/{name}/versions/{n}/} and only then commits the version; a failure leaves
 * nothing behind. Aliases ({@code latest} kept by the registry, others set by users) name versions.
 */
package dev.fedexlora.registry.version;
