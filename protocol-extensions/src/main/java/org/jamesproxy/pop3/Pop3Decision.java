package org.jamesproxy.pop3;

import java.util.Optional;

/**
 * What the relay does with one client command, as a {@link Pop3CommandHandler} decides it. The handlers only decide;
 * the session applies the decision (writes, TLS, the in-flight command), so they can be tested without channels.
 */
sealed interface Pop3Decision {
    /** How the mail server frames the answer of a forwarded command. */
    enum Answer {
        SINGLE_LINE,
        /** A single line, or "+ challenge" lines (RFC 5034) each answered by one client line. */
        SASL,
        /** Multi-line after "+OK", streamed as it is within the policy's listing bound. */
        LISTING,
        /** Multi-line after "+OK", rewritten by {@link Pop3Capabilities}. */
        CAPA,
        /** Multi-line after "+OK": a message (RETR, TOP), which the proxy action may inspect. */
        MESSAGE
    }

    /** What the session learns from the status of the answer. */
    enum Completion {
        NONE,
        /** USER: a refused name is forgotten. */
        USER,
        /** PASS, APOP, AUTH: "+OK" is a login, anything else forgets who tried. */
        LOGIN,
        /** QUIT: the session ends with the answer (or with the mail server's close). */
        QUIT
    }

    /**
     * Relay the command line to the mail server; the next command waits for its answer.
     *
     * @param topLines TOP's line count, -1 for every other command
     * @param upstreamLine what the mail server is sent instead of the client's line (without CRLF); empty: the
     *                     client's line as it is
     */
    record Forward(Answer answer, int topLines, Completion completion, Optional<String> upstreamLine) implements Pop3Decision {
        Forward(Answer answer, int topLines, Completion completion) {
            this(answer, topLines, completion, Optional.empty());
        }

        static Forward of(Answer answer) {
            return new Forward(answer, -1, Completion.NONE);
        }

        static Forward of(Answer answer, Completion completion) {
            return new Forward(answer, -1, completion);
        }

        /** A TOP for which the mail server was asked the whole message, so that it is inspected whole. */
        boolean topOfWholeMessage() {
            return topLines >= 0 && upstreamLine.isPresent();
        }
    }

    /** Answer locally; the command is not relayed. */
    record Reply(String line) implements Pop3Decision {
    }

    /** Answer locally because the policy forbids the command now, and say so in the log. */
    record Refuse(String line, String logged) implements Pop3Decision {
    }

    /** STLS accepted: the go-ahead, then TLS on the client leg (refused if anything was pipelined after it). */
    record StartTls() implements Pop3Decision {
    }
}
