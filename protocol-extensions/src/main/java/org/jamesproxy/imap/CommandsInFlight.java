package org.jamesproxy.imap;

import java.util.ArrayDeque;
import java.util.Iterator;

/** The commands sent upstream whose tagged response has not come back yet, oldest first. */
final class CommandsInFlight {
    private final ArrayDeque<ImapCommand> commands = new ArrayDeque<>();

    void add(ImapCommand command) {
        commands.add(command);
    }

    int size() {
        return commands.size();
    }

    boolean isEmpty() {
        return commands.isEmpty();
    }

    /** The command sent last, or null. */
    ImapCommand last() {
        return commands.peekLast();
    }

    /** The command sent last was never sent after all (refused while framing it). */
    void removeLast() {
        commands.pollLast();
    }

    /** @return the oldest command with this tag, no longer in flight; null for a tag the client did not send */
    ImapCommand complete(String tag) {
        Iterator<ImapCommand> iterator = commands.iterator();
        while (iterator.hasNext()) {
            ImapCommand command = iterator.next();
            if (command.tag().equals(tag)) {
                iterator.remove();
                return command;
            }
        }
        return null;
    }
}
