/**
 * {@code ./fedex chaos}: a bounded chaos and abuse suite against a platform it starts on 127.0.0.1. It runs jobs
 * while killing workers and the coordinator and cutting the coordinator off from the registry, sends a hostile
 * request corpus to every endpoint of both services (taken from their OpenAPI documents) and a crafted-upload corpus
 * through the worker protocol, then audits every version against what the coordinator computed. It prints what it
 * did, the figures, and each promise with whether it held; {@link dev.fedexlora.cli.chaos.Promise} lists the
 * promises known to be broken today, with the reason, so that a fix or a new breakage is noticed.
 */
package dev.fedexlora.cli.chaos;
