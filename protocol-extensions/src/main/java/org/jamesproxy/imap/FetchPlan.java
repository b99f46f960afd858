package org.jamesproxy.imap;

import java.util.Optional;

import org.jamesproxy.imap.view.FetchRequest;

/**
 * A client FETCH / UID FETCH whose items are answered from inspected views: what goes upstream instead (the same
 * sequence set with the items the view does not answer, and {@code UID} always) and what the held responses are
 * refilled with.
 */
record FetchPlan(ImapCommand command, boolean uidCommand, String sequenceSet, SequenceSet messages, FetchRequest request,
                 String modifiers) {
    /**
     * @return the plan, or empty when the command asks for nothing the view answers
     * @throws IllegalArgumentException for items that cannot be parsed (answered BAD: the proxy cannot tell what
     *                                  they would reveal)
     */
    static Optional<FetchPlan> of(ImapCommand command) {
        boolean uid = command.name().equals("UID FETCH");
        String arguments = uid ? afterFirstWord(command.arguments()) : command.arguments();
        String trimmed = arguments.trim();
        int space = trimmed.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("Missing FETCH data items");
        }
        String set = trimmed.substring(0, space);
        String rest = trimmed.substring(space + 1).trim();
        String items;
        String modifiers;
        if (rest.startsWith("(")) {
            int close = matchingParenthesis(rest);
            items = rest.substring(0, close + 1);
            modifiers = rest.substring(close + 1);
        } else {
            int end = rest.indexOf(' ');
            items = end < 0 ? rest : rest.substring(0, end);
            modifiers = end < 0 ? "" : rest.substring(end);
        }
        FetchRequest request = FetchRequest.parse(items);
        if (!request.needsView()) {
            return Optional.empty();
        }
        return Optional.of(new FetchPlan(command, uid, set, SequenceSet.parse(set), request, modifiers));
    }

    private static String afterFirstWord(String text) {
        String trimmed = text.trim();
        int space = trimmed.indexOf(' ');
        return space < 0 ? "" : trimmed.substring(space + 1);
    }

    /** The closing parenthesis of the list {@code text} starts with (section names may hold parentheses). */
    private static int matchingParenthesis(String text) {
        int depth = 0;
        boolean inSection = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[') {
                inSection = true;
            } else if (c == ']') {
                inSection = false;
            } else if (!inSection && c == '(') {
                depth++;
            } else if (!inSection && c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("Unbalanced parentheses in FETCH data items");
    }

    String tag() {
        return command.tag();
    }

    /**
     * The command the upstream gets instead of the client's. It never sets {@code \Seen}: the proxy sets it itself,
     * once the client had the inspected content ({@link ViewFetch}), so a message that could not be inspected stays
     * unseen.
     */
    String upstreamLine() {
        String items = request.upstreamItems();
        return command.tag() + (uidCommand ? " UID FETCH " : " FETCH ") + sequenceSet + " " + items + modifiers + "\r\n";
    }

    /** True for a FETCH response of the client's messages (not an unsolicited flag update arriving meanwhile). */
    boolean asksFor(long sequenceNumber, long uid) {
        return messages.contains(uidCommand ? uid : sequenceNumber);
    }

    /**
     * The UID of the one message a {@code UID FETCH} names when nothing of what it asks needs the upstream (content,
     * size and structure come from the view, UID is known, nothing sets {@code \Seen}, no modifier such as
     * CHANGEDSINCE): a chunked download's next chunk. -1 otherwise.
     */
    long viewOnlyUid() {
        if (!uidCommand || !modifiers.isBlank() || request.setsSeen() || !request.upstreamAnswersOnlyUid()) {
            return -1;
        }
        return messages.single();
    }

    /** UID stays in the responses when the client asked for it, or used UID FETCH (RFC 3501 §6.4.8). */
    boolean showsUid() {
        return uidCommand || request.asksUid();
    }
}
