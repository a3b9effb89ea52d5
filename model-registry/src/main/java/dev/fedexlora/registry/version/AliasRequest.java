package dev.fedexlora.registry.version;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** The version an alias should name. */
public record AliasRequest(@NotNull @Min(0) Integer version) {
}
