package org.jamesproxy.testing;

import java.util.List;

/**
 * A fake upstream server on a loopback port, as the relay fixtures start and close it, with what the contracts
 * observe of it in every protocol.
 */
public interface FakeUpstream extends AutoCloseable {
    int port();

    /** Every line received, without its CRLF. */
    List<String> receivedLines();

    /** Whether a command with this verb arrived (IMAP: after the tag). */
    boolean receivedCommand(String verb);

    int openConnections();

    int acceptedConnections();

    /** Unexpected failures of the fake itself (not TLS or connection aborts a test provokes). */
    List<Throwable> errors();
}
