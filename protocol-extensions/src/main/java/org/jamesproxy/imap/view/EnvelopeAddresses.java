package org.jamesproxy.imap.view;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses an address header into RFC 3501 §7.4.2 envelope addresses, leniently and without decoding: a display name
 * is the phrase as written (encoded words left as they are, quoted strings unquoted, comments dropped), a group is
 * its start marker (NIL NIL name NIL), its members and the end marker (NIL NIL NIL NIL).
 */
final class EnvelopeAddresses {
    private static final int MAX_ADDRESSES = 1000;

    /** One envelope address; all fields null is a group end marker. */
    record Address(String name, String route, String mailbox, String host) {
    }

    private EnvelopeAddresses() {
    }

    static List<Address> parse(String value) {
        List<Address> addresses = new ArrayList<>();
        StringBuilder element = new StringBuilder();
        boolean inGroup = false;
        int angle = 0;
        int i = 0;
        int n = value.length();
        while (i < n && addresses.size() < MAX_ADDRESSES) {
            char c = value.charAt(i);
            if (c == '"') {
                int end = quotedEnd(value, i);
                element.append(value, i, end);
                i = end;
                continue;
            }
            if (c == '(') {
                i = commentEnd(value, i);
                element.append(' ');
                continue;
            }
            if (c == '<') {
                angle++;
            } else if (c == '>') {
                angle = Math.max(0, angle - 1);
            } else if (angle == 0 && c == ':' && !inGroup && !element.toString().contains("<")) {
                addresses.add(new Address(null, null, phrase(element.toString()), null));
                element.setLength(0);
                inGroup = true;
                i++;
                continue;
            } else if (angle == 0 && (c == ',' || c == ';')) {
                mailbox(element.toString(), addresses);
                element.setLength(0);
                if (c == ';' && inGroup) {
                    addresses.add(new Address(null, null, null, null));
                    inGroup = false;
                }
                i++;
                continue;
            }
            element.append(c);
            i++;
        }
        mailbox(element.toString(), addresses);
        if (inGroup) {
            addresses.add(new Address(null, null, null, null));
        }
        return addresses;
    }

    private static void mailbox(String text, List<Address> addresses) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return;
        }
        int open = indexOutsideQuotes(trimmed, '<');
        String name = null;
        String spec = trimmed;
        if (open >= 0) {
            name = phrase(trimmed.substring(0, open));
            int close = trimmed.indexOf('>', open);
            spec = close < 0 ? trimmed.substring(open + 1) : trimmed.substring(open + 1, close);
        }
        spec = spec.replaceAll("\\s+", "");
        String route = null;
        if (spec.startsWith("@")) {
            int colon = spec.indexOf(':');
            if (colon > 0) {
                route = spec.substring(0, colon);
                spec = spec.substring(colon + 1);
            }
        }
        int at = spec.lastIndexOf('@');
        String mailbox = at < 0 ? spec : spec.substring(0, at);
        String host = at < 0 ? null : spec.substring(at + 1);
        addresses.add(new Address(name == null || name.isEmpty() ? null : name, route,
            mailbox.isEmpty() ? null : mailbox, host == null || host.isEmpty() ? null : host));
    }

    /** A phrase as written: quoted strings unquoted, runs of white space folded to one space. */
    private static String phrase(String text) {
        StringBuilder phrase = new StringBuilder();
        String trimmed = text.strip();
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c == '"') {
                int end = quotedEnd(trimmed, i);
                for (int j = i + 1; j < end - 1; j++) {
                    char q = trimmed.charAt(j);
                    if (q == '\\' && j + 1 < end - 1) {
                        q = trimmed.charAt(++j);
                    }
                    phrase.append(q);
                }
                i = end - 1;
            } else if (Character.isWhitespace(c)) {
                if (phrase.length() > 0 && phrase.charAt(phrase.length() - 1) != ' ') {
                    phrase.append(' ');
                }
            } else {
                phrase.append(c);
            }
        }
        return phrase.toString().strip();
    }

    private static int quotedEnd(String text, int start) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '"') {
                return i + 1;
            }
            i++;
        }
        return text.length();
    }

    private static int commentEnd(String text, int start) {
        int depth = 0;
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return text.length();
    }

    private static int indexOutsideQuotes(String text, char wanted) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i = quotedEnd(text, i) - 1;
            } else if (c == wanted) {
                return i;
            }
        }
        return -1;
    }
}
