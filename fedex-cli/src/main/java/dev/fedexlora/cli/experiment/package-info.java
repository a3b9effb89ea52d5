/**
 * {@code ./fedex experiment}: the paper's comparison (centralised, FedEx-LoRA, FedIT, FFA-LoRA) run through the
 * platform's own coordinator and workers, with every round's global model evaluated on a common test set, and the
 * results written as tables, JSON and PNG plots; and studies ({@code --preset}) that run the same jobs in-process on
 * the same training and aggregation code, with paired confidence intervals, FedIT's dropped fraction against the
 * gap, and accuracy per megabyte exchanged.
 */
package dev.fedexlora.cli.experiment;
