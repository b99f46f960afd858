package org.jamesproxy.smtp;

import java.util.Optional;

import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.relay.SessionLog;

/**
 * What a command handler may do with the session it runs in: forward a command (its reply comes back to the
 * handler), answer locally in command order, and read or change the session's state. Implemented by the session;
 * the handlers never see a channel.
 */
interface SmtpConversation {
    SmtpProxy proxy();

    default SmtpPolicy policy() {
        return proxy().policy;
    }

    SessionLog log();

    /** What the session knows of its client; handlers change it as the protocol goes. */
    SmtpSessionState state();

    String remoteAddress();

    /** Sends the command upstream; the reply goes to {@code handler} in command order. */
    void forward(SmtpCommandHandler handler, String command, Optional<SmtpPath> path);

    /** As {@link #forward}, and nothing more of the client is read until the reply is in (EHLO, AUTH, QUIT...). */
    void forwardBarrier(SmtpCommandHandler handler, String command);

    /** The proxy's own reply, delivered after every earlier reply. */
    void localReply(String reply);

    /** An upstream reply, as it came or as rewritten, to the client. */
    void writeClient(String wire);

    /** Counts and logs a MAIL/RCPT refused by a policy rule. */
    void policyRejection(String what);

    /** The upstream accepted the credentials: counted and logged. */
    void authenticated();

    /** The upstream refused an AUTH exchange with {@code reply} (535, 454, ...). */
    void authenticationFailed(SmtpReply reply);

    /** The user is locked out after failed logins: the proxy refuses the AUTH. */
    boolean lockedOut(String user);

    /** The upstream accepted a MAIL: the client is at work, the login deadline no longer applies. */
    void transactionStarted();

    /** TLS on the client leg: implicit, or after STARTTLS. */
    boolean isTlsActive();

    /** Credentials may be sent: over TLS, or in clear when the admin allowed it. */
    boolean authAllowed();

    /** The client's next line is a SASL response, not a command. */
    void expectAuthResponse();

    /** Puts TLS on the client leg (the go-ahead, the handshake, nothing pipelined carried over). */
    void startTls();

    /** The client's next lines are message data, up to the final dot. */
    void beginData();

    /** The reply to QUIT is out: close. */
    void closeAfterReplies();

    /** The policy has a certificate to present on a STARTTLS (the Proxy Server's, or one minted by the Proxy Authority). */
    boolean canPresentTls();

    /** The next upstream reply answers {@code handler}, ahead of the queue (the reply to the final dot). */
    void expectReplyFirst(SmtpCommandHandler handler);

    void writeUpstream(io.netty.buffer.ByteBuf bytes);

    void flushUpstream();

    /** Earlier replies, then this one, then the connection closes. */
    void closeWith(String reply);

    /** Flushes both legs and goes on reading the client (a held command first). */
    void resume();
}
