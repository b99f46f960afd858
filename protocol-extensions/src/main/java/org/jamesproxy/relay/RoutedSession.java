package org.jamesproxy.relay;

import io.netty.channel.Channel;

/** What a route may ask of the session it routes: its client leg, its words, and the session's own ways to close. */
public interface RoutedSession {
    Channel client();

    /** The name of the session's handler in the client pipeline (the last one): route handlers go before it. */
    String clientHandlerName();

    String remoteAddress();

    SessionLog log();

    /** The protocol's plain phase, for a route that must speak it before the upstream exists. */
    PlainDialogue plainDialogue();

    /** Says the protocol's goodbye (unless the client leg is silent), then closes both legs. */
    void closeWithFarewell(String reason);

    /** Closes at once. */
    void close();

    boolean isClosed();

    /** A channel the route spliced to the client: the session closes it with the client, and never reads it. */
    void adoptUpstream(Channel channel);
}
