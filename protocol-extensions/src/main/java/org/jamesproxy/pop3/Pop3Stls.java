package org.jamesproxy.pop3;

import org.jamesproxy.pop3.Pop3Decision.Reply;
import org.jamesproxy.pop3.Pop3Decision.StartTls;

/** STLS on the client leg (RFC 2595): only on the plain listener, only when the policy offers it, only once, before login. */
final class Pop3Stls {
    private Pop3Stls() {
    }

    static Pop3Decision handle(String arguments, Pop3CommandHandler.Context context) {
        Pop3Capabilities.ClientLeg leg = context.clientLeg();
        if (context.implicitTls() || leg.tlsActive) {
            return new Reply("-ERR TLS is already active");
        }
        if (!leg.stlsOffered) {
            return new Reply("-ERR STLS is not available");
        }
        if (context.authenticated()) {
            return new Reply("-ERR STLS is only permitted before authentication");
        }
        return new StartTls();
    }
}
