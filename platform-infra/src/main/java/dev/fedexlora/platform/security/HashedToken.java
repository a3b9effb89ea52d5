package dev.fedexlora.platform.security;

/**
 * One accepted bearer token, known only by its SHA-256.
 *
 * @param name   the principal name the token authenticates as
 * @param role   its role, without the {@code ROLE_} prefix (e.g. {@code READER})
 * @param sha256 hex SHA-256 of the token ({@code printf %s "$TOKEN" | sha256sum}); blank disables the entry
 */
public record HashedToken(String name, String role, String sha256) {
}
