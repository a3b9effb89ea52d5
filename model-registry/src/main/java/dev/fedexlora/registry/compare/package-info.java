/**
 * Two versions of a model side by side: their metrics, the per-layer exactness error and deviation each round
 * recorded in its {@code report.json}, and their lineages with the newest version both descend from.
 */
package dev.fedexlora.registry.compare;
