package dev.fedexlora.registry.model;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Set;

/** The complete set of tags a model should carry. */
public record TagsRequest(@NotNull @Size(max = 32) Set<@NotNull @Pattern(regexp = Models.TAG_PATTERN,
        message = "must be lower-case letters, digits and . _ : - (at most 64)") String> tags) {
}
