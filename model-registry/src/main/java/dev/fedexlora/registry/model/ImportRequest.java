package dev.fedexlora.registry.model;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** The name to register an imported bundled model under. */
public record ImportRequest(@NotBlank @Pattern(regexp = Models.NAME_PATTERN,
        message = "must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
        String name) {
}
