package org.jamesproxy.pop3;

import java.util.Locale;
import java.util.Optional;

import org.jamesproxy.pop3.Pop3Decision.Answer;
import org.jamesproxy.pop3.Pop3Decision.Completion;
import org.jamesproxy.pop3.Pop3Decision.Forward;
import org.jamesproxy.pop3.Pop3Decision.Refuse;
import org.jamesproxy.pop3.Pop3Decision.Reply;

/**
 * The commands that carry credentials: USER/PASS, APOP, AUTH (any mechanism). All are refused on a plain
 * connection before STLS, unless the policy allows plaintext authentication, by the same rule ({@link Pop3Capabilities.ClientLeg#mayAuthenticateInClear()}) that hides
 * them from CAPA. Each one tells the session's {@link org.jamesproxy.relay.SaslUser} who is logging in.
 */
final class Pop3Credentials {
    private Pop3Credentials() {
    }

    static Pop3Decision user(String arguments, Pop3CommandHandler.Context context) {
        if (!context.clientLeg().mayAuthenticateInClear()) {
            return refuseInClear("USER");
        }
        context.user().named(Optional.of(arguments));
        return Forward.of(Answer.SINGLE_LINE, Completion.USER);
    }

    static Pop3Decision pass(String arguments, Pop3CommandHandler.Context context) {
        if (!context.clientLeg().mayAuthenticateInClear()) {
            return refuseInClear("PASS");
        }
        return lockedOut(context).orElse(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
    }

    static Pop3Decision apop(String arguments, Pop3CommandHandler.Context context) {
        // An APOP digest seen on the wire can be attacked offline (MD5 over a known challenge): not in clear either.
        if (!context.clientLeg().mayAuthenticateInClear()) {
            return refuseInClear("APOP");
        }
        if (context.apopTimestamp().isEmpty()) {
            return new Reply("-ERR APOP is not available");
        }
        context.user().named(Optional.of(arguments.split(" ", 2)[0]));
        return lockedOut(context).orElse(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
    }

    static Pop3Decision auth(String arguments, Pop3CommandHandler.Context context) {
        String[] parts = arguments.split(" ", 2);
        String mechanism = parts[0].toUpperCase(Locale.US);
        // Every mechanism, known or not, and the bare listing form: a challenge-response digest (CRAM-MD5, DIGEST-MD5)
        // seen in clear is open to offline attack too, and the proxy cannot vouch for mechanisms it does not know.
        if (!context.clientLeg().mayAuthenticateInClear()) {
            return refuseInClear(mechanism.isEmpty() ? "AUTH" : "AUTH " + mechanism);
        }
        if (arguments.isEmpty()) {
            // The pre-RFC 5034 form lists the mechanisms, multi-line.
            return Forward.of(Answer.LISTING);
        }
        context.user().start(mechanism, parts.length > 1 ? Optional.of(parts[1]) : Optional.empty());
        return lockedOut(context).orElse(Forward.of(Answer.SASL, Completion.LOGIN));
    }

    /** The same answer as for a wrong password, when the user (known here) is locked out after failed logins. */
    private static Optional<Pop3Decision> lockedOut(Pop3CommandHandler.Context context) {
        Optional<String> user = context.user().user();
        if (user.isPresent() && context.lockedOut(user.get())) {
            context.user().forget();
            return Optional.of(new Refuse("-ERR [AUTH] Authentication failed",
                "refused the login of user " + user.get() + ": locked out after failed logins"));
        }
        return Optional.empty();
    }

    private static Pop3Decision refuseInClear(String command) {
        return new Refuse("-ERR Use STLS before sending credentials on this connection",
            "refused " + command + " on a plain connection before STLS");
    }
}
