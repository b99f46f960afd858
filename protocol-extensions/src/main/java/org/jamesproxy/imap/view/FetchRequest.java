package org.jamesproxy.imap.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jamesproxy.imap.view.ViewItem.Kind;
import org.jamesproxy.imap.view.ViewItem.SectionText;

/**
 * The data items of a FETCH / UID FETCH command (the text after the sequence set), split into the items the
 * inspected view answers (any content, size or structure of the message) and the items still asked of the upstream
 * (flags, UID, dates, ENVELOPE, MODSEQ, extensions), to which {@code UID} is always added so a sequence-number FETCH
 * can be mapped to the cached view.
 */
public final class FetchRequest {
    /** Bounds what a client can make the parser hold. */
    static final int MAX_ITEMS_LENGTH = 8192;
    private static final int MAX_PART_DEPTH = 64;

    private final List<ViewItem> viewItems;
    private final List<String> upstreamItems;
    private final boolean asksUid;

    private FetchRequest(List<ViewItem> viewItems, List<String> upstreamItems, boolean asksUid) {
        this.viewItems = List.copyOf(viewItems);
        this.upstreamItems = List.copyOf(upstreamItems);
        this.asksUid = asksUid;
    }

    /**
     * Parses a parenthesised list, a single item or a macro (ALL, FAST, FULL), case-insensitively.
     *
     * @throws IllegalArgumentException with a reason fit for a {@code BAD} response
     */
    public static FetchRequest parse(String items) {
        if (items == null) {
            throw new IllegalArgumentException("missing FETCH data items");
        }
        if (items.length() > MAX_ITEMS_LENGTH) {
            throw new IllegalArgumentException("FETCH data items longer than " + MAX_ITEMS_LENGTH + " characters");
        }
        String trimmed = items.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("missing FETCH data items");
        }
        List<String> tokens;
        switch (trimmed.toUpperCase(Locale.US)) {
            case "ALL" -> tokens = List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE");
            case "FAST" -> tokens = List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE");
            case "FULL" -> tokens = List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY");
            default -> {
                if (trimmed.startsWith("(")) {
                    if (!trimmed.endsWith(")")) {
                        throw new IllegalArgumentException("FETCH data item list without closing parenthesis");
                    }
                    tokens = tokenize(trimmed.substring(1, trimmed.length() - 1));
                    if (tokens.isEmpty()) {
                        throw new IllegalArgumentException("empty FETCH data item list");
                    }
                } else {
                    tokens = tokenize(trimmed);
                    if (tokens.size() != 1) {
                        throw new IllegalArgumentException("several FETCH data items must be parenthesised");
                    }
                }
            }
        }
        List<ViewItem> view = new ArrayList<>();
        List<String> upstream = new ArrayList<>();
        boolean uid = false;
        for (String token : tokens) {
            String upper = token.toUpperCase(Locale.US);
            if (upper.equals("ALL") || upper.equals("FAST") || upper.equals("FULL")) {
                throw new IllegalArgumentException("macro " + upper + " inside a FETCH data item list");
            }
            ViewItem item = viewItem(token, upper);
            if (item != null) {
                view.add(item);
            } else {
                if (upper.equals("UID")) {
                    uid = true;
                }
                upstream.add(token);
            }
        }
        if (!uid) {
            upstream.add("UID");
        }
        return new FetchRequest(view, upstream, uid);
    }

    /** Any item the view answers. */
    public boolean needsView() {
        return !viewItems.isEmpty();
    }

    /** BODY or BODYSTRUCTURE among the items: the view's structure, line counts included, is written. */
    public boolean describesStructure() {
        return viewItems.stream().anyMatch(item -> item.kind() == ViewItem.Kind.BODY || item.kind() == ViewItem.Kind.BODYSTRUCTURE);
    }

    /** RFC 3501 §6.4.5: a non-PEEK BODY[...]/BINARY[...], RFC822 or RFC822.TEXT sets \Seen. */
    public boolean setsSeen() {
        return viewItems.stream().anyMatch(ViewItem::setsSeen);
    }

    /** Whether the client itself asked for UID (otherwise the session hides the UID the proxy added). */
    public boolean asksUid() {
        return asksUid;
    }

    /** True when everything the upstream would answer is the UID (the view answers the rest). */
    public boolean upstreamAnswersOnlyUid() {
        return upstreamItems.stream().allMatch(item -> item.equalsIgnoreCase("UID"));
    }

    /** What is still sent to the upstream, as a parenthesised list; always contains {@code UID}. */
    public String upstreamItems() {
        return "(" + String.join(" ", upstreamItems) + ")";
    }

    /** The items the view answers, in the client's order. */
    public List<ViewItem> viewItems() {
        return viewItems;
    }

    @Override
    public String toString() {
        return "FetchRequest[view=" + viewItems + ", upstream=" + upstreamItems() + "]";
    }

    /** Splits on spaces outside brackets; a {@code <origin.count>} stays attached to its item. */
    private static List<String> tokenize(String list) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = list.length();
        while (i < n) {
            char c = list.charAt(i);
            if (c == ' ') {
                i++;
                continue;
            }
            int start = i;
            int bracket = 0;
            boolean quoted = false;
            int paren = 0;
            while (i < n) {
                c = list.charAt(i);
                if (quoted) {
                    if (c == '\\' && i + 1 < n) {
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    }
                } else if (c == '"' && bracket > 0) {
                    quoted = true;
                } else if (c == '[') {
                    bracket++;
                } else if (c == ']') {
                    bracket--;
                    if (bracket < 0) {
                        throw new IllegalArgumentException("unbalanced ']' in FETCH data items");
                    }
                } else if (c == '(') {
                    if (bracket == 0) {
                        paren++; // e.g. an extension's parameters, kept verbatim
                    }
                } else if (c == ')') {
                    if (bracket == 0) {
                        paren--;
                        if (paren < 0) {
                            throw new IllegalArgumentException("unbalanced ')' in FETCH data items");
                        }
                    }
                } else if (c == ' ' && bracket == 0 && paren == 0) {
                    break;
                }
                i++;
            }
            if (bracket != 0 || quoted || paren != 0) {
                throw new IllegalArgumentException("unbalanced brackets in FETCH data item " + list.substring(start));
            }
            tokens.add(list.substring(start, i));
        }
        return tokens;
    }

    /** The view item this token is, or null when the upstream answers it. */
    private static ViewItem viewItem(String token, String upper) {
        switch (upper) {
            case "RFC822":
                return ViewItem.simple(Kind.RFC822);
            case "RFC822.HEADER":
                return ViewItem.simple(Kind.RFC822_HEADER);
            case "RFC822.TEXT":
                return ViewItem.simple(Kind.RFC822_TEXT);
            case "RFC822.SIZE":
                return ViewItem.simple(Kind.RFC822_SIZE);
            case "BODY":
                return ViewItem.simple(Kind.BODY);
            case "BODYSTRUCTURE":
                return ViewItem.simple(Kind.BODYSTRUCTURE);
            default:
                break;
        }
        int open = token.indexOf('[');
        if (open < 0) {
            if (upper.startsWith("BODY") || upper.startsWith("BINARY") || upper.startsWith("RFC822")) {
                throw new IllegalArgumentException("unknown FETCH data item " + token);
            }
            return null;
        }
        String name = upper.substring(0, open);
        Kind kind;
        boolean peek;
        switch (name) {
            case "BODY" -> { kind = Kind.SECTION; peek = false; }
            case "BODY.PEEK" -> { kind = Kind.SECTION; peek = true; }
            case "BINARY" -> { kind = Kind.BINARY; peek = false; }
            case "BINARY.PEEK" -> { kind = Kind.BINARY; peek = true; }
            case "BINARY.SIZE" -> { kind = Kind.BINARY_SIZE; peek = true; }
            default -> {
                if (name.startsWith("BODY") || name.startsWith("BINARY")) {
                    throw new IllegalArgumentException("unknown FETCH data item " + token);
                }
                return null; // an extension with a bracket, e.g. a vendor item: the upstream answers it
            }
        }
        int close = token.lastIndexOf(']');
        if (close < open) {
            throw new IllegalArgumentException("missing ']' in " + token);
        }
        String section = token.substring(open + 1, close);
        String rest = token.substring(close + 1);
        long origin = -1;
        long count = -1;
        if (!rest.isEmpty()) {
            if (kind == Kind.BINARY_SIZE) {
                throw new IllegalArgumentException("BINARY.SIZE takes no partial: " + token);
            }
            if (!rest.startsWith("<") || !rest.endsWith(">")) {
                throw new IllegalArgumentException("bad partial " + rest + " in " + token);
            }
            String window = rest.substring(1, rest.length() - 1);
            int dot = window.indexOf('.');
            if (dot < 0) {
                throw new IllegalArgumentException("partial " + rest + " needs <origin.count>");
            }
            origin = number(window.substring(0, dot), token, false);
            count = number(window.substring(dot + 1), token, true);
        }
        return section(kind, peek, section, origin, count, token);
    }

    private static ViewItem section(Kind kind, boolean peek, String section, long origin, long count, String token) {
        List<Integer> part = new ArrayList<>();
        int i = 0;
        int n = section.length();
        while (i < n && Character.isDigit(section.charAt(i))) {
            int start = i;
            while (i < n && Character.isDigit(section.charAt(i))) {
                i++;
            }
            long value = number(section.substring(start, i), token, true);
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("part number too large in " + token);
            }
            part.add((int) value);
            if (part.size() > MAX_PART_DEPTH) {
                throw new IllegalArgumentException("section nested deeper than " + MAX_PART_DEPTH + " in " + token);
            }
            if (i < n) {
                if (section.charAt(i) != '.') {
                    throw new IllegalArgumentException("bad section " + section + " in " + token);
                }
                i++;
                if (i == n) {
                    throw new IllegalArgumentException("section ends with '.' in " + token);
                }
            }
        }
        String textSpec = section.substring(i);
        if (kind != Kind.SECTION) {
            if (!textSpec.isEmpty()) {
                throw new IllegalArgumentException("BINARY sections are part numbers only (RFC 3516): " + token);
            }
            return new ViewItem(kind, part, SectionText.WHOLE, List.of(), origin, count, peek);
        }
        String upperText = textSpec.toUpperCase(Locale.US);
        if (upperText.isEmpty()) {
            return new ViewItem(kind, part, SectionText.WHOLE, List.of(), origin, count, peek);
        }
        switch (upperText) {
            case "HEADER":
                return new ViewItem(kind, part, SectionText.HEADER, List.of(), origin, count, peek);
            case "TEXT":
                return new ViewItem(kind, part, SectionText.TEXT, List.of(), origin, count, peek);
            case "MIME":
                if (part.isEmpty()) {
                    throw new IllegalArgumentException("MIME needs a part number: " + token);
                }
                return new ViewItem(kind, part, SectionText.MIME, List.of(), origin, count, peek);
            default:
                break;
        }
        SectionText text;
        String list;
        if (upperText.startsWith("HEADER.FIELDS.NOT")) {
            text = SectionText.HEADER_FIELDS_NOT;
            list = textSpec.substring("HEADER.FIELDS.NOT".length());
        } else if (upperText.startsWith("HEADER.FIELDS")) {
            text = SectionText.HEADER_FIELDS;
            list = textSpec.substring("HEADER.FIELDS".length());
        } else {
            throw new IllegalArgumentException("unknown section text " + textSpec + " in " + token);
        }
        return new ViewItem(kind, part, text, fieldNames(list.strip(), token), origin, count, peek);
    }

    private static List<String> fieldNames(String list, String token) {
        if (!list.startsWith("(") || !list.endsWith(")")) {
            throw new IllegalArgumentException("HEADER.FIELDS needs a parenthesised list of names: " + token);
        }
        List<String> names = new ArrayList<>();
        String inner = list.substring(1, list.length() - 1);
        int i = 0;
        int n = inner.length();
        while (i < n) {
            char c = inner.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                StringBuilder name = new StringBuilder();
                i++;
                while (i < n && inner.charAt(i) != '"') {
                    if (inner.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    name.append(inner.charAt(i));
                    i++;
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unterminated quoted header name in " + token);
                }
                i++;
                names.add(name.toString());
            } else {
                int start = i;
                while (i < n && inner.charAt(i) != ' ') {
                    char a = inner.charAt(i);
                    if (a == '(' || a == ')' || a == '"' || a == '{' || a < ' ' || a >= 0x7f) {
                        throw new IllegalArgumentException("bad header name in " + token);
                    }
                    i++;
                }
                names.add(inner.substring(start, i));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("HEADER.FIELDS needs at least one header name: " + token);
        }
        return names;
    }

    private static long number(String digits, String token, boolean nonZero) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("bad number '" + digits + "' in " + token);
        }
        long value = Long.parseLong(digits);
        if (nonZero && value == 0) {
            throw new IllegalArgumentException("zero where a non-zero number is required in " + token);
        }
        return value;
    }
}
