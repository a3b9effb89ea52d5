/**
 * What every REST endpoint shares: the problem types and the one exception handler that turns them into RFC 9457
 * problem details, and the page envelope of list answers.
 */
package dev.fedexlora.registry.api;
