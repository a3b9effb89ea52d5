/**
 * {@code ./fedex experiment}: the paper's comparison (centralised, FedEx-LoRA, FedIT, FFA-LoRA) run through the
 * platform's own coordinator and workers, with every round's global model evaluated on a common test set, and the
 * results written as tables, JSON and PNG plots.
 */
package dev.fedexlora.cli.experiment;
