package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An upstream {@code * n FETCH (...)} response, complete (its literals included), cut into its top-level data items
 * so the proxy can drop some (the hidden {@code UID}, the {@code \Seen} marker) and add the inspected view's. Values
 * are kept as the upstream wrote them: only the item boundaries are parsed (parentheses, quoted strings, literals).
 */
final class FetchResponse {
    /** One data item: its name as sent (e.g. {@code FLAGS}, {@code BODY[]<0>}) and its value's raw bytes. */
    record Item(String name, byte[] value) {
        String upperName() {
            return name.toUpperCase(Locale.US);
        }

        /** A message-content item: never relayed from the upstream while the view answers content. */
        boolean isContent() {
            String upper = upperName();
            return upper.startsWith("BODY[") || upper.startsWith("BINARY[") || upper.startsWith("BINARY.SIZE[")
                || upper.startsWith("RFC822") || upper.equals("BODY") || upper.equals("BODYSTRUCTURE");
        }
    }

    private final long sequenceNumber;
    private final List<Item> items;

    private FetchResponse(long sequenceNumber, List<Item> items) {
        this.sequenceNumber = sequenceNumber;
        this.items = items;
    }

    /** @return the parsed response, or empty when {@code response} is not a well-formed FETCH response */
    static Optional<FetchResponse> parse(byte[] response) {
        try {
            return Optional.of(new Parser(response).response());
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    long sequenceNumber() {
        return sequenceNumber;
    }

    List<Item> items() {
        return items;
    }

    OptionalLong uid() {
        for (Item item : items) {
            if (item.upperName().equals("UID")) {
                try {
                    return OptionalLong.of(Long.parseLong(new String(item.value(), ISO_8859_1).trim()));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static final class Parser {
        private final byte[] bytes;
        private int position;

        Parser(byte[] bytes) {
            this.bytes = bytes;
        }

        FetchResponse response() {
            expect("* ");
            long number = number();
            expect(" ");
            String keyword = atom();
            if (!keyword.equalsIgnoreCase("FETCH")) {
                throw new IllegalArgumentException("not a FETCH response");
            }
            expect(" (");
            List<Item> items = new ArrayList<>();
            while (bytes[position] != ')') {
                if (bytes[position] == ' ') {
                    position++;
                    continue;
                }
                String name = itemName();
                expect(" ");
                int start = position;
                value();
                items.add(new Item(name, java.util.Arrays.copyOfRange(bytes, start, position)));
            }
            return new FetchResponse(number, items);
        }

        private void expect(String text) {
            for (int i = 0; i < text.length(); i++) {
                if (bytes[position++] != text.charAt(i)) {
                    throw new IllegalArgumentException("expected " + text);
                }
            }
        }

        private long number() {
            int start = position;
            while (Character.isDigit(bytes[position])) {
                position++;
            }
            if (start == position) {
                throw new IllegalArgumentException("expected a number");
            }
            return Long.parseLong(new String(bytes, start, position - start, ISO_8859_1));
        }

        private String atom() {
            int start = position;
            while (position < bytes.length && bytes[position] != ' ' && bytes[position] != '(' && bytes[position] != ')'
                && bytes[position] != '\r') {
                position++;
            }
            return new String(bytes, start, position - start, ISO_8859_1);
        }

        /** An item name, with its section (which may hold spaces and parentheses) and origin. */
        private String itemName() {
            int start = position;
            while (bytes[position] != ' ' && bytes[position] != ')') {
                if (bytes[position] == '[') {
                    while (bytes[position] != ']') {
                        position++;
                    }
                }
                position++;
            }
            if (start == position) {
                throw new IllegalArgumentException("expected an item name");
            }
            return new String(bytes, start, position - start, ISO_8859_1);
        }

        private void value() {
            byte first = bytes[position];
            if (first == '(') {
                position++;
                while (bytes[position] != ')') {
                    if (bytes[position] == ' ') {
                        position++;
                    } else {
                        value();
                    }
                }
                position++;
            } else if (first == '"') {
                position++;
                while (bytes[position] != '"') {
                    position += bytes[position] == '\\' ? 2 : 1;
                }
                position++;
            } else if (first == '{' || (first == '~' && bytes[position + 1] == '{')) {
                position = indexOf('}', position) + 1;
                int brace = position - 1;
                int open = indexOfBackwards('{', brace);
                String digits = new String(bytes, open + 1, brace - open - 1, ISO_8859_1).replace("+", "");
                long size = Long.parseLong(digits);
                expect("\r\n");
                position = Math.addExact(position, Math.toIntExact(size));
                if (position > bytes.length) {
                    throw new IllegalArgumentException("literal past the end");
                }
            } else {
                // An atom, a number or NIL; a section name value such as BODY[...] never appears as a value.
                while (bytes[position] != ' ' && bytes[position] != ')') {
                    if (bytes[position] == '[') {
                        while (bytes[position] != ']') {
                            position++;
                        }
                    }
                    position++;
                }
            }
        }

        private int indexOf(char c, int from) {
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == c) {
                    return i;
                }
            }
            throw new IllegalArgumentException("missing " + c);
        }

        private int indexOfBackwards(char c, int from) {
            for (int i = from; i >= 0; i--) {
                if (bytes[i] == c) {
                    return i;
                }
            }
            throw new IllegalArgumentException("missing " + c);
        }
    }
}
