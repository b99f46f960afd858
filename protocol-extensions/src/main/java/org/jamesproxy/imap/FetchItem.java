package org.jamesproxy.imap;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies the FETCH data item whose value is the literal announced at the end of a response segment:
 * the whole message (BODY[], RFC822, BINARY[] — what inspection must see), a partial one (sections, origins,
 * headers), or something else (e.g. an ENVELOPE string sent as a literal).
 */
enum FetchItem {
    FULL_MESSAGE,
    /** The header section (BODY[HEADER], BODY[HEADER.FIELDS (...)], RFC822.HEADER): a message with an empty body. */
    HEADER,
    PARTIAL,
    OTHER;

    private static final Pattern BODY_ITEM = Pattern.compile(
        "(BODY\\[([^\\]]*)](<\\d+>)?|BINARY\\[([^\\]]*)](<\\d+>)?|RFC822(\\.HEADER|\\.TEXT|\\.SIZE)?) ~?\\{\\d+\\+?}\\s*$",
        Pattern.CASE_INSENSITIVE);

    static FetchItem classify(String segment) {
        Matcher matcher = BODY_ITEM.matcher(segment);
        if (!matcher.find()) {
            return OTHER;
        }
        String item = matcher.group(1).toUpperCase(Locale.US);
        if (item.equals("RFC822") || item.equals("BODY[]") || item.equals("BINARY[]")) {
            return FULL_MESSAGE;
        }
        if (item.equals("RFC822.HEADER") || item.equals("BODY[HEADER]") || item.startsWith("BODY[HEADER.FIELDS")) {
            return HEADER;
        }
        return PARTIAL;
    }

    /** The segment without its trailing literal announcement ("{123}\r\n" or "~{123}\r\n"). */
    static String withoutLiteral(String segment) {
        int brace = segment.lastIndexOf('{');
        int start = brace > 0 && segment.charAt(brace - 1) == '~' ? brace - 1 : brace;
        return segment.substring(0, start);
    }
}
