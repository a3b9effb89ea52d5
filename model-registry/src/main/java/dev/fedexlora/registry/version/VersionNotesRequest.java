package dev.fedexlora.registry.version;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * A change to a version's notes; a field left out (null) keeps its value, an empty one clears it.
 *
 * @param description free text, at most 4000 characters
 * @param tags        at most 20 tags, each {@code [a-z0-9][a-z0-9._:-]{0,63}}; replaces the version's tags
 */
public record VersionNotesRequest(
        @Schema(example = "Round 5 of the WordNet run; best validation accuracy so far") @Size(max = 4000)
        String description,
        @Schema(example = "[\"wordnet\", \"candidate\"]")
        @Size(max = 20) List<@Pattern(regexp = "[a-z0-9][a-z0-9._:-]{0,63}") String> tags) {
}
