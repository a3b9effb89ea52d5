package dev.fedexlora.core.ref;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry model version named by URI: {@code fedex://models/NAME@ALIAS} (an alias such as {@code production}
 * or {@code latest}) or {@code fedex://models/NAME/VERSION} (a number, 0 being the base checkpoint). The CLI and
 * the coordinator's job API accept it wherever a model version is asked for. Nothing in it is used as a path: the
 * name and the reference are checked against the registry's own patterns.
 *
 * @param name    the registered model name ({@code [a-z0-9][a-z0-9._-]{0,99}})
 * @param version a version number or an alias ({@code [A-Za-z0-9._-]{1,100}})
 */
public record ModelVersionUri(String name, String version) {

    public static final String SCHEME = "fedex://models/";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern FORM = Pattern.compile("fedex://models/([^/@]+)(?:@([^/@]+)|/([^/@]+))");

    public ModelVersionUri {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must match " + NAME.pattern());
        }
        if (version == null || !REF.matcher(version).matches()) {
            throw new IllegalArgumentException("version '" + version + "' must be a number or an alias matching "
                    + REF.pattern());
        }
    }

    /** True when {@code text} starts with the {@code fedex://models/} scheme (whether or not it is well formed). */
    public static boolean looksLikeUri(String text) {
        return text != null && text.startsWith("fedex://");
    }

    /**
     * Parses {@code fedex://models/NAME@ALIAS} or {@code fedex://models/NAME/VERSION}.
     *
     * @throws IllegalArgumentException naming the expected forms when {@code uri} is neither
     */
    public static ModelVersionUri parse(String uri) {
        Matcher m = uri == null ? null : FORM.matcher(uri);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + uri + "' is not a model version URI: use " + SCHEME
                    + "NAME@ALIAS or " + SCHEME + "NAME/VERSION");
        }
        return new ModelVersionUri(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
    }

    /** True when the version is a number rather than an alias. */
    public boolean numbered() {
        return version.chars().allMatch(Character::isDigit) && version.length() <= 9;
    }

    @Override
    public String toString() {
        return SCHEME + name + (numbered() ? "/" : "@") + version;
    }
}
