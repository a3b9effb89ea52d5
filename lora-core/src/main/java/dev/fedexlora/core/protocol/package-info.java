/**
 * The contract between the coordinator and its workers, one copy for both sides: the task lease a worker trains
 * from and the method enum every side speaks (job requests, leases, registered versions). Plain records, JSON on
 * the wire.
 */
package dev.fedexlora.core.protocol;
