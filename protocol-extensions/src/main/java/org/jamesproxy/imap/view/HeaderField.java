package org.jamesproxy.imap.view;

/**
 * One header field: its name, its unfolded value (bounded, for parsing) and where its raw bytes lie, continuation
 * lines and line terminators included (for HEADER.FIELDS, which must return them verbatim).
 */
record HeaderField(String name, String value, long rawStart, long rawEnd) {

    boolean named(String other) {
        return name.equalsIgnoreCase(other);
    }
}
