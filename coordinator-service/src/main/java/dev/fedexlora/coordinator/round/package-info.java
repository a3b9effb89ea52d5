/**
 * Rounds: opening (client selection, one task per client), closing when every task is done or at the deadline
 * with the quorum, retrying a round that missed it, exact aggregation with lora-core, the version artifacts and
 * their registration, and the background loop that drives all of it from the database.
 */
package dev.fedexlora.coordinator.round;
