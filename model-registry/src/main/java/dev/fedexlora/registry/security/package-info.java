/**
 * The registry's trust boundary: bearer tokens configured by SHA-256 under {@code fedex.registry.security.tokens},
 * each with one role (READER, PUBLISHER, ADMIN; an admin and a publisher also read), the API's rules, and the
 * pages' sign-in with a token and their CSRF-protected forms.
 */
package dev.fedexlora.registry.security;
