/**
 * Bearer tokens configured by their SHA-256 only, shared by the coordinator and the registry: {@link
 * dev.fedexlora.platform.security.HashedTokens} turns a presented token into an authentication with one role,
 * {@link dev.fedexlora.platform.security.BearerTokenAuthenticationFilter} reads it from the {@code Authorization}
 * header, and {@link dev.fedexlora.platform.security.ProblemResponses} answers 401 and 403 as problem details.
 * Each service keeps its own roles and rules.
 */
package dev.fedexlora.platform.security;
