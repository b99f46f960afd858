package org.jamesproxy.tls;

import java.util.Optional;

import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;

/**
 * Fired down the client pipeline by the {@link SniPeeker} once the client's ClientHello is read (and held): the relay
 * decides, maybe after reaching the upstream, and answers through one of the three methods.
 */
public final class ClientHello {
    static final Object PASS_THROUGH = new Object();

    /** The relay refused the destination. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private final Optional<String> requestedName;
    private final Promise<Object> decision;

    ClientHello(Optional<String> requestedName, Promise<Object> decision) {
        this.requestedName = requestedName;
        this.decision = decision;
    }

    /** The SNI host name, lower case; empty when the client sent none. */
    public Optional<String> requestedName() {
        return requestedName;
    }

    /** Completes the client's handshake with this handler (key material minted for the destination). */
    public void inspectWith(SslHandler handler) {
        decision.trySuccess(handler);
    }

    /** Lets the held ClientHello and everything after it flow on, undecrypted. */
    public void passThrough() {
        decision.trySuccess(PASS_THROUGH);
    }

    /** Answers with a fatal TLS alert and closes. */
    public void refuse(String reason) {
        decision.tryFailure(new Refused(reason));
    }
}
