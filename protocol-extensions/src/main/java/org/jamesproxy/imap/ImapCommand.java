package org.jamesproxy.imap;

import java.util.Locale;

/**
 * A client command line as the relay reads it: its tag, its name in upper case (with UID's sub-command, e.g.
 * {@code UID FETCH}, so that handlers key on what the command does) and the rest of the line.
 */
record ImapCommand(String tag, String name, String arguments) {
    static ImapCommand parse(String line) {
        String[] words = line.trim().split(" ", 3);
        String name = words.length > 1 ? words[1].toUpperCase(Locale.US) : "";
        String arguments = words.length > 2 ? words[2] : "";
        if (name.equals("UID") && words.length > 2) {
            name = "UID " + arguments.split(" ", 2)[0].toUpperCase(Locale.US);
        }
        return new ImapCommand(words[0], name, arguments);
    }

    /** A line without a tag or a name cannot be relayed: the upstream's answer could not be matched to it. */
    boolean isMissingName() {
        return tag.isEmpty() || name.isEmpty();
    }
}
