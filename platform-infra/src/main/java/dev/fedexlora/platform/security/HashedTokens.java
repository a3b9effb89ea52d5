package dev.fedexlora.platform.security;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import dev.fedexlora.core.checksum.Sha256;

/**
 * The tokens a service accepts, looked up by the SHA-256 of the presented token: the tokens themselves are never
 * configured or stored. Two entries with one hash keep the first.
 */
public final class HashedTokens {

    private final Map<String, HashedToken> byHash;

    public HashedTokens(Collection<HashedToken> tokens) {
        this.byHash = tokens.stream().filter(t -> t.sha256() != null && !t.sha256().isBlank())
                .collect(Collectors.toMap(t -> t.sha256().trim().toLowerCase(Locale.ROOT), Function.identity(),
                        (a, b) -> a));
    }

    /** The authentication {@code token} stands for (its name and {@code ROLE_<role>}), or empty when unknown. */
    public Optional<Authentication> authenticate(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        HashedToken t = byHash.get(Sha256.hex(token.trim()));
        if (t == null) {
            return Optional.empty();
        }
        return Optional.of(UsernamePasswordAuthenticationToken.authenticated(t.name(), null,
                List.of(new SimpleGrantedAuthority("ROLE_" + t.role()))));
    }
}
