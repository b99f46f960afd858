package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

/**
 * One SMTP command, after James's SMTP stack: what the proxy does when the client sends it (answer, forward, start
 * TLS...), what it does with the upstream's reply, and what it adds to the EHLO answer — the handler that implements
 * an extension is the one that advertises it.
 */
interface SmtpCommandHandler {
    /** The verbs this handler serves, upper case. */
    List<String> verbs();

    /**
     * True for the commands that change the session's state (EHLO, HELO, AUTH, STARTTLS, DATA, QUIT): they are
     * handled only once every earlier reply is out, and nothing after them is read until they are done.
     */
    default boolean isBarrier() {
        return false;
    }

    /**
     * The client sent one of {@link #verbs()}.
     *
     * @param line the whole command line without its line ending
     * @param argument what follows the verb, trimmed
     */
    void onCommand(SmtpConversation session, String line, String argument);

    /** The upstream answered a command this handler forwarded; by default the client gets the reply as it is. */
    default void onReply(SmtpConversation session, Optional<SmtpPath> path, boolean currentTransaction, SmtpReply reply) {
        session.writeClient(reply.wire());
    }

    /**
     * The EHLO lines this handler stands for, given the upstream's keywords and the session's state (e.g.
     * {@code STARTTLS} while the leg is plain, the upstream's {@code AUTH} line once credentials may be sent).
     */
    default List<String> ehloKeywords(SmtpConversation session) {
        return List.of();
    }

    /** A command the proxy itself sends upstream (its DATA, the message): no client verb, only a reply to take. */
    interface ReplyOnly extends SmtpCommandHandler {
        @Override
        default List<String> verbs() {
            return List.of();
        }

        @Override
        default void onCommand(SmtpConversation session, String line, String argument) {
            throw new UnsupportedOperationException("sent by the proxy, not by the client");
        }
    }
}
