package io.tfliteslim.gradle.tool;

import java.util.regex.Pattern;

/**
 * Masks the {@code user:password@} of every URL in a text before the plugin prints it, as the tool's
 * {@code process.redact_urls} does: a {@code tfliteSlim.repositoryUrl} of {@code https://u:TOKEN@host/} reached
 * tfliteVerify's warning and the {@code --info} command lines verbatim.
 */
public final class Redaction {
    /** {@code scheme://userinfo@}: the user-info runs to the last {@code @} before the path. */
    private static final Pattern USERINFO = Pattern.compile("(\\b[A-Za-z][A-Za-z0-9+.\\-]*://)([^/?#@\\s]*(?:@[^/?#@\\s]*)*)@");

    private Redaction() {
    }

    /** {@code text} with each URL's user-info replaced by {@code ***}; null stays null. */
    public static String urls(String text) {
        return text == null ? null : USERINFO.matcher(text).replaceAll("$1***@");
    }
}
