package org.jamesproxy.values;

/**
 * A text that is not a value of the type asked for. It carries the text and what was expected, never where the text
 * came from: the reader that caught it (an XML element, a mailet parameter) adds that, so that every message names
 * its source.
 */
public final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String value;
    private final String expectation;

    public InvalidValueException(String value, String expectation) {
        super("invalid value '" + value + "': " + expectation);
        this.value = value;
        this.expectation = expectation;
    }

    /** The text as given (trimmed). */
    public String getValue() {
        return value;
    }

    /** What a valid text looks like, e.g. {@code expected true or false}. */
    public String getExpectation() {
        return expectation;
    }
}
