package org.jamesproxy.imap;

import java.util.Optional;
import java.util.regex.Pattern;

/** The little IMAP argument parsing the relay needs: who logs in, and which responses are FETCH data. */
final class ImapArguments {
    private static final Pattern FETCH_RESPONSE = Pattern.compile("^\\* \\d+ FETCH ", Pattern.CASE_INSENSITIVE);

    private ImapArguments() {
    }

    /** The first astring of an argument list: an atom or a quoted string; empty for a literal. */
    static Optional<String> firstAstring(String arguments) {
        String trimmed = arguments.trim();
        if (trimmed.isEmpty() || trimmed.startsWith("{") || trimmed.startsWith("~{")) {
            return Optional.empty();
        }
        if (trimmed.charAt(0) != '"') {
            int space = trimmed.indexOf(' ');
            return Optional.of(space < 0 ? trimmed : trimmed.substring(0, space));
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '\\' && i + 1 < trimmed.length()) {
                value.append(trimmed.charAt(++i));
            } else if (c == '"') {
                return Optional.of(value.toString());
            } else {
                value.append(c);
            }
        }
        return Optional.empty();
    }

    static boolean isFetchResponse(String line) {
        return FETCH_RESPONSE.matcher(line).find();
    }
}
