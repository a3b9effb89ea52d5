package dev.fedexlora.cli.registry;

import dev.fedexlora.core.ref.ModelVersionUri;

/**
 * A model version as the CLI takes it: {@code fedex://models/NAME@ALIAS}, {@code fedex://models/NAME/VERSION},
 * or the short forms {@code NAME@ALIAS} and {@code NAME/VERSION}. Name and version are checked against the
 * registry's patterns before they become part of a request path.
 */
final class VersionRef {

    private VersionRef() {
    }

    /** @throws IllegalArgumentException naming the argument and the accepted forms */
    static ModelVersionUri parse(String argument, String text) {
        try {
            if (ModelVersionUri.looksLikeUri(text)) {
                return ModelVersionUri.parse(text);
            }
            int at = text.indexOf('@');
            int slash = text.indexOf('/');
            if (at > 0 && slash < 0) {
                return new ModelVersionUri(text.substring(0, at), text.substring(at + 1));
            }
            if (slash > 0 && at < 0 && text.indexOf('/', slash + 1) < 0) {
                return new ModelVersionUri(text.substring(0, slash), text.substring(slash + 1));
            }
            throw new IllegalArgumentException("'" + text + "' names no version: use fedex://models/NAME@ALIAS,"
                    + " fedex://models/NAME/VERSION, NAME@ALIAS or NAME/VERSION");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + ": " + e.getMessage());
        }
    }

    /** The second version of a comparison: a full reference, or just a number or alias of {@code first}'s model. */
    static ModelVersionUri sibling(String argument, String text, ModelVersionUri first) {
        if (ModelVersionUri.looksLikeUri(text) || text.contains("@") || text.contains("/")) {
            ModelVersionUri other = parse(argument, text);
            if (!other.name().equals(first.name())) {
                throw new IllegalArgumentException(argument + ": compares versions of one model; '" + other.name()
                        + "' is not '" + first.name() + "'");
            }
            return other;
        }
        try {
            return new ModelVersionUri(first.name(), text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + ": " + e.getMessage());
        }
    }

    /** {@code /api/v1/models/NAME/versions/VERSION}; both parts match the registry's patterns, no encoding needed. */
    static String path(ModelVersionUri v) {
        return "/api/v1/models/" + v.name() + "/versions/" + v.version();
    }
}
