package org.jamesproxy.inspection;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What the pipeline does with a message when a matcher or mailet of the proxy action throws. */
public enum OnError {
    /** Fail closed: the message is denied with reason "inspection failed: ...". */
    DENY,
    /** Fail open: the original message goes through unchanged; the failure is logged at WARN. */
    PASS;

    /**
     * @param value "deny" or "pass", case-insensitive, surrounding blanks ignored
     * @throws IllegalArgumentException naming the value when it is neither
     */
    public static OnError parse(String value) {
        return Optional.ofNullable(value)
            .map(String::trim)
            .flatMap(v -> Arrays.stream(values())
                .filter(candidate -> candidate.name().equalsIgnoreCase(v))
                .findFirst())
            .orElseThrow(() -> new IllegalArgumentException(
                "Invalid onError value '" + value + "': expected one of deny, pass"));
    }

    public String asString() {
        return name().toLowerCase(Locale.US);
    }
}
