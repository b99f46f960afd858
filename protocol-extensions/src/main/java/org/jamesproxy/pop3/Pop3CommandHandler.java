package org.jamesproxy.pop3;

import java.util.Optional;

import org.jamesproxy.relay.SaslUser;

/** One POP3 command (or family), in the manner of James's CommandHandler: the arguments in, a decision out. */
@FunctionalInterface
interface Pop3CommandHandler {
    /** What a handler may know of its session: the state a command depends on, and the user capture. */
    interface Context {
        /** The client leg as it is now (TLS, STLS offered, plaintext credentials allowed). */
        Pop3Capabilities.ClientLeg clientLeg();

        /** True on the implicit TLS listener. */
        boolean implicitTls();

        boolean authenticated();

        /** The upstream's APOP challenge, when the policy offers APOP. */
        Optional<String> apopTimestamp();

        /** Who authenticates, learnt from the commands (for logs and the inspection context). */
        SaslUser user();

        /** TOP is answered from the inspected whole message ({@code partialFetch inspect} with an action). */
        boolean inspectsPartialRetrieval();

        /** The user is locked out after failed logins: the proxy refuses the login. */
        boolean lockedOut(String user);
    }

    /** @param arguments what follows the command name, trimmed; empty when there is nothing */
    Pop3Decision handle(String arguments, Context context);
}
