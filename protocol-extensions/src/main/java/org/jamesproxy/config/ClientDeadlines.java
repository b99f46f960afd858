package org.jamesproxy.config;

import java.time.Duration;
import java.util.Objects;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;

/**
 * A policy's {@code <timeouts>}: deadlines a client must meet whatever it trickles in, unlike {@code idleTimeout},
 * which every byte restarts (a client sending one byte every few seconds would otherwise hold a connection forever).
 * <ul>
 *     <li>{@code commandLine} (default 60s): a line the client started must be complete (its LF received) within it;</li>
 *     <li>{@code login} (default 3m): from the accepted connection until the client is logged in (IMAP, POP3, SMTP
 *     AUTH) or, for SMTP, until its first MAIL is accepted;</li>
 *     <li>{@code tlsHandshake} (default 10s, Netty's own default): an implicit-TLS handshake from the accepted connection, a STARTTLS one
 *     from the go-ahead.</li>
 * </ul>
 */
public final class ClientDeadlines {
    public static final ClientDeadlines DEFAULT = new ClientDeadlines(Duration.ofSeconds(60), Duration.ofMinutes(3),
        Duration.ofSeconds(10));

    static ClientDeadlines parse(ConfigValues policy) throws ConfigurationException {
        return new ClientDeadlines(
            policy.duration("timeouts.commandLine", "60s"),
            policy.duration("timeouts.login", "3m"),
            policy.duration("timeouts.tlsHandshake", "10s"));
    }

    private final Duration commandLine;
    private final Duration login;
    private final Duration tlsHandshake;

    public ClientDeadlines(Duration commandLine, Duration login, Duration tlsHandshake) {
        this.commandLine = commandLine;
        this.login = login;
        this.tlsHandshake = tlsHandshake;
    }

    public Duration getCommandLine() {
        return commandLine;
    }

    public Duration getLogin() {
        return login;
    }

    public Duration getTlsHandshake() {
        return tlsHandshake;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ClientDeadlines) {
            ClientDeadlines that = (ClientDeadlines) o;
            return Objects.equals(commandLine, that.commandLine)
                && Objects.equals(login, that.login)
                && Objects.equals(tlsHandshake, that.tlsHandshake);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(commandLine, login, tlsHandshake);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("commandLine", commandLine)
            .add("login", login)
            .add("tlsHandshake", tlsHandshake)
            .toString();
    }
}
