package org.jamesproxy.pop3;

import io.netty.buffer.ByteBuf;

/**
 * The client side of an upstream answer, as {@link Pop3AnswerReader} and {@link Pop3Retrieval} see it: where the
 * answer goes, and what the session must learn from it. Narrow, so both are unit-testable without channels.
 */
interface Pop3AnswerSink {
    void writeLine(String line);

    /** Takes ownership of {@code bytes}. */
    void write(ByteBuf bytes);

    /** A SASL challenge was relayed: the client's next line is its response, not a command. */
    void challenged();

    /** The whole answer is on the client leg ({@code ok}: it was "+OK"); the next command may go. */
    void answered(boolean ok);

    /** A verdict came back from the inspection pool and was rendered: the upstream leg is read on. */
    void resume();

    /** The session ends with the protocol's last words. */
    void closeWithFarewell(String reason);
}
