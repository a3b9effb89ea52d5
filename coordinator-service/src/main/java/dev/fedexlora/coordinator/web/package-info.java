/** Web plumbing shared by the features: the API exception type and its problem-detail (RFC 9457) mapping. */
package dev.fedexlora.coordinator.web;
