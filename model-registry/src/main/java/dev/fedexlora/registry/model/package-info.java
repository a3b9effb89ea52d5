/**
 * Models: a name, an architecture and a base checkpoint (version 0), registered by uploading a Hugging Face
 * checkpoint or importing the bundled MiniLM; searchable, taggable. A base upload is validated before anything
 * is stored and leaves nothing behind when it fails.
 */
package dev.fedexlora.registry.model;
