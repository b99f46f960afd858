package org.jamesproxy.imap.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed Content-Type or Content-Disposition value: the type (and subtype) lower-cased, the parameters in order
 * with their names as written. Lenient: a malformed parameter is skipped, never an exception.
 */
record MediaType(String type, String subtype, List<Map.Entry<String, String>> parameters) {

    static final MediaType TEXT_PLAIN = new MediaType("text", "plain", List.of(Map.entry("charset", "us-ascii")));
    static final MediaType MESSAGE_RFC822 = new MediaType("message", "rfc822", List.of());

    Optional<String> parameter(String name) {
        return parameters.stream().filter(p -> p.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst();
    }

    /** A Content-Type value; null when it names no type/subtype (the caller then uses the default). */
    static MediaType contentType(String value) {
        Cursor cursor = new Cursor(value);
        String type = cursor.token("/;");
        if (!cursor.accept('/')) {
            return null;
        }
        String subtype = cursor.token(";");
        if (type.isEmpty() || subtype.isEmpty()) {
            return null;
        }
        return new MediaType(type.toLowerCase(Locale.US), subtype.toLowerCase(Locale.US), parameters(cursor));
    }

    /** A Content-Disposition value: the disposition in {@code type} as written (James and Dovecot keep its case), no subtype. */
    static MediaType disposition(String value) {
        Cursor cursor = new Cursor(value);
        String type = cursor.token(";");
        if (type.isEmpty()) {
            return null;
        }
        return new MediaType(type, "", parameters(cursor));
    }

    /**
     * Parameter names lower-cased (as James and Dovecot answer), values as written; RFC 2231 §3 continuations
     * ({@code name*0}, {@code name*1}, ...) joined into {@code name} at the place of the first. Charset-tagged values
     * ({@code name*=utf-8''...}) are kept as they are, under their own name, as James does.
     */
    private static List<Map.Entry<String, String>> parameters(Cursor cursor) {
        List<Map.Entry<String, String>> parameters = new ArrayList<>();
        Map<String, Integer> continued = new java.util.HashMap<>();
        while (cursor.skipTo(';')) {
            String name = cursor.token("=;").toLowerCase(Locale.US);
            if (!cursor.accept('=')) {
                continue;
            }
            String parameterValue = cursor.value();
            if (name.isEmpty() || parameters.size() >= 64) {
                continue;
            }
            int star = name.indexOf('*');
            if (star > 0 && star < name.length() - 1 && name.substring(star + 1).chars().allMatch(Character::isDigit)) {
                String base = name.substring(0, star);
                Integer at = continued.get(base);
                if (at == null) {
                    continued.put(base, parameters.size());
                    parameters.add(Map.entry(base, parameterValue));
                } else {
                    parameters.set(at, Map.entry(base, parameters.get(at).getValue() + parameterValue));
                }
                continue;
            }
            parameters.add(Map.entry(name, parameterValue));
        }
        return parameters;
    }

    private static final class Cursor {
        private final String text;
        private int i;

        Cursor(String text) {
            this.text = text;
        }

        private void skipSpaceAndComments() {
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    i++;
                } else if (c == '(') {
                    int depth = 0;
                    while (i < text.length()) {
                        char d = text.charAt(i++);
                        if (d == '\\') {
                            i++;
                        } else if (d == '(') {
                            depth++;
                        } else if (d == ')' && --depth == 0) {
                            break;
                        }
                    }
                } else {
                    return;
                }
            }
        }

        String token(String stops) {
            skipSpaceAndComments();
            int start = i;
            while (i < text.length() && stops.indexOf(text.charAt(i)) < 0 && text.charAt(i) != ' ' && text.charAt(i) != '\t'
                && text.charAt(i) != '(' && text.charAt(i) != '"') {
                i++;
            }
            return text.substring(start, i);
        }

        boolean accept(char c) {
            skipSpaceAndComments();
            if (i < text.length() && text.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        /** Moves past the next ';' at this level; false at the end. */
        boolean skipTo(char c) {
            while (i < text.length()) {
                skipSpaceAndComments();
                if (i >= text.length()) {
                    return false;
                }
                char d = text.charAt(i);
                if (d == c) {
                    i++;
                    return true;
                }
                if (d == '"') {
                    quoted();
                } else {
                    i++;
                }
            }
            return false;
        }

        String value() {
            skipSpaceAndComments();
            if (i < text.length() && text.charAt(i) == '"') {
                return quoted();
            }
            return token(";");
        }

        private String quoted() {
            StringBuilder value = new StringBuilder();
            i++;
            while (i < text.length()) {
                char c = text.charAt(i++);
                if (c == '\\' && i < text.length()) {
                    value.append(text.charAt(i++));
                } else if (c == '"') {
                    break;
                } else {
                    value.append(c);
                }
            }
            return value.toString();
        }
    }
}
