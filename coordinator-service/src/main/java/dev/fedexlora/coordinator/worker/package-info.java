/**
 * Workers: registration with the clients each hosts and their data sets (a worker name belongs to the credential
 * that first registered it; a credential registers only the clients it is bound to), and the check that a worker
 * id belongs to the calling credential.
 */
package dev.fedexlora.coordinator.worker;
