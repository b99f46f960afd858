package org.jamesproxy.smtp;

import java.util.Locale;

/** A client command line split as RFC 5321 4.1.1 words it: the verb, then its argument. */
final class SmtpCommandLine {
    private SmtpCommandLine() {
    }

    /** The verb, upper case; empty for an empty line. */
    static String verb(String line) {
        int space = line.indexOf(' ');
        return (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.US);
    }

    /** What follows the verb, trimmed; empty when nothing does. */
    static String argument(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? "" : line.substring(space + 1).trim();
    }
}
