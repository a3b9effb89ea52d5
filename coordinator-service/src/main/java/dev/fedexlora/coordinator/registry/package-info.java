/** The model registry's REST API as the coordinator uses it, behind one client class. */
package dev.fedexlora.coordinator.registry;
