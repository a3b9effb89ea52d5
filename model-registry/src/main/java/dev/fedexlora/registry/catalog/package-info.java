/**
 * The catalog of registered models: the {@link dev.fedexlora.registry.catalog.Model} row (name, architecture,
 * base checkpoint, tags) and its repository. Both the model feature (registering a base checkpoint) and the version
 * feature (versions belong to a model, numbering locks the model row) build on it; it depends on neither.
 */
package dev.fedexlora.registry.catalog;
