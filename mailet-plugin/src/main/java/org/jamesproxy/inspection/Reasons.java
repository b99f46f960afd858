package org.jamesproxy.inspection;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Makes a verdict reason safe to put in a header field, an SMTP reply or a log line: one line, no control
 * characters, bounded length. Reasons come from configuration and from any mailet, so they are not trusted.
 */
final class Reasons {
    static final int MAX_LENGTH = 300;
    private static final Pattern CONTROLS_AND_BLANKS = Pattern.compile("[\\p{Cntrl}\\s]+");

    static String sanitize(String reason, String fallback) {
        String cleaned = Optional.ofNullable(reason)
            .map(value -> CONTROLS_AND_BLANKS.matcher(value).replaceAll(" ").trim())
            .filter(value -> !value.isEmpty())
            .orElse(fallback);
        return cleaned.length() <= MAX_LENGTH ? cleaned : cleaned.substring(0, MAX_LENGTH - 3) + "...";
    }

    private Reasons() {
    }
}
