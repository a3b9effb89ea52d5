/** The federated clients a worker hosts and their local, never-uploaded data. */
package dev.fedexlora.worker.client;
