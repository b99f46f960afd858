package org.jamesproxy.imap.view;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One FETCH data item the inspected view answers, parsed once: which item, which section (part path and text
 * specifier), the optional {@code <origin.count>} window, and whether it is a PEEK form.
 */
public final class ViewItem {

    /** The data item. {@code SECTION} is BODY[...] / BODY.PEEK[...]. */
    public enum Kind { SECTION, BINARY, BINARY_SIZE, RFC822, RFC822_HEADER, RFC822_TEXT, RFC822_SIZE, BODY, BODYSTRUCTURE }

    /** The text part of a section specifier; {@code WHOLE} when the section is only a part path (or empty). */
    public enum SectionText { WHOLE, HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

    private final Kind kind;
    private final List<Integer> part;
    private final SectionText text;
    private final List<String> fieldNames;
    private final long origin;
    private final long count;
    private final boolean peek;

    ViewItem(Kind kind, List<Integer> part, SectionText text, List<String> fieldNames, long origin, long count, boolean peek) {
        this.kind = Objects.requireNonNull(kind);
        this.part = List.copyOf(part);
        this.text = Objects.requireNonNull(text);
        this.fieldNames = List.copyOf(fieldNames);
        this.origin = origin;
        this.count = count;
        this.peek = peek;
    }

    static ViewItem simple(Kind kind) {
        return new ViewItem(kind, List.of(), SectionText.WHOLE, List.of(), -1, -1, false);
    }

    public Kind kind() {
        return kind;
    }

    /** The numeric part path (1-based), empty for the whole message. */
    public List<Integer> part() {
        return part;
    }

    public SectionText text() {
        return text;
    }

    /** The header field names of HEADER.FIELDS[.NOT], as the client wrote them. */
    public List<String> fieldNames() {
        return fieldNames;
    }

    public OptionalLong origin() {
        return origin < 0 ? OptionalLong.empty() : OptionalLong.of(origin);
    }

    public OptionalLong count() {
        return count < 0 ? OptionalLong.empty() : OptionalLong.of(count);
    }

    public boolean peek() {
        return peek;
    }

    /** RFC 3501 §6.4.5: a non-PEEK BODY[...]/BINARY[...], RFC822 and RFC822.TEXT set \Seen. */
    public boolean setsSeen() {
        return switch (kind) {
            case SECTION, BINARY -> !peek;
            case RFC822, RFC822_TEXT -> true;
            default -> false;
        };
    }

    /** The section specifier between the brackets, keywords upper-cased, header field names as given. */
    public String sectionSpec() {
        StringBuilder spec = new StringBuilder();
        for (int i = 0; i < part.size(); i++) {
            if (i > 0) {
                spec.append('.');
            }
            spec.append(part.get(i));
        }
        String keyword = switch (text) {
            case WHOLE -> "";
            case HEADER -> "HEADER";
            case HEADER_FIELDS -> "HEADER.FIELDS";
            case HEADER_FIELDS_NOT -> "HEADER.FIELDS.NOT";
            case TEXT -> "TEXT";
            case MIME -> "MIME";
        };
        if (!keyword.isEmpty()) {
            if (!part.isEmpty()) {
                spec.append('.');
            }
            spec.append(keyword);
        }
        if (text == SectionText.HEADER_FIELDS || text == SectionText.HEADER_FIELDS_NOT) {
            spec.append(" (");
            for (int i = 0; i < fieldNames.size(); i++) {
                if (i > 0) {
                    spec.append(' ');
                }
                spec.append(quoteIfNeeded(fieldNames.get(i)));
            }
            spec.append(')');
        }
        return spec.toString();
    }

    /**
     * The name as it must appear in the response (RFC 3501 §7.4.2): {@code .PEEK} dropped, only the origin of a
     * partial kept ({@code BODY[2.MIME]<0>}).
     */
    public String responseName() {
        String window = origin < 0 ? "" : "<" + origin + ">";
        return switch (kind) {
            case SECTION -> "BODY[" + sectionSpec() + "]" + window;
            case BINARY -> "BINARY[" + sectionSpec() + "]" + window;
            case BINARY_SIZE -> "BINARY.SIZE[" + sectionSpec() + "]";
            default -> kind.name().replace('_', '.').toUpperCase(Locale.US);
        };
    }

    private static String quoteIfNeeded(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == '"' || c == '\\' || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == ']' || c >= 0x7f) {
                return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return name.isEmpty() ? "\"\"" : name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ViewItem other && kind == other.kind && part.equals(other.part) && text == other.text
            && fieldNames.equals(other.fieldNames) && origin == other.origin && count == other.count && peek == other.peek;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, part, text, fieldNames, origin, count, peek);
    }

    @Override
    public String toString() {
        String window = origin < 0 ? "" : "<" + origin + "." + count + ">";
        return switch (kind) {
            case SECTION -> (peek ? "BODY.PEEK[" : "BODY[") + sectionSpec() + "]" + window;
            case BINARY -> (peek ? "BINARY.PEEK[" : "BINARY[") + sectionSpec() + "]" + window;
            default -> responseName();
        };
    }
}
