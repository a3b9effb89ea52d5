/**
 * The jobs page at {@code /jobs}: running and finished jobs, their rounds, tasks and failures, updated live from
 * the job event stream. A static shell that reads the token-checked API in the browser; see JobsPageController.
 */
package dev.fedexlora.coordinator.pages;
