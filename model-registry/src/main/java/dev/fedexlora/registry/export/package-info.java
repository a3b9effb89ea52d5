/**
 * Export: a version materialised as a full Hugging Face checkpoint, its base weights being the base checkpoint
 * with every residual on its lineage chain merged in, plus its adapter in PEFT layout on that merged base.
 * Exports are deterministic and cached in the object store under {@code models/{name}/versions/{n}/export/}.
 */
package dev.fedexlora.registry.export;
