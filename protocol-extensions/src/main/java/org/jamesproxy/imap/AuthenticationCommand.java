package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Locale;
import java.util.Optional;

/**
 * LOGIN and AUTHENTICATE: relayed, and the upstream judges the credentials, except on a plain leg before STARTTLS
 * (unless the policy allows plaintext authentication), where they never leave the proxy. Who logs in is learnt on
 * the way (LOGIN's user name, the SASL responses of AUTHENTICATE), for logs and the inspection context. The same
 * rule decides what the capability lists say: AUTH= mechanisms or LOGINDISABLED.
 */
final class AuthenticationCommand implements CommandHandler, CommandHandler.ClientLines {
    static final AuthenticationCommand INSTANCE = new AuthenticationCommand();

    private AuthenticationCommand() {
    }

    /** AUTH= mechanisms are offered only where they may be used, and no more once logged in. */
    static boolean advertises(String upstreamCapability, ImapCapabilities.ClientLeg leg) {
        return !upstreamCapability.toUpperCase(Locale.US).startsWith("AUTH=") || (leg.mayAuthenticate() && !leg.authenticated);
    }

    static Optional<String> capability(ImapCapabilities.ClientLeg leg) {
        return !leg.mayAuthenticate() && !leg.authenticated ? Optional.of("LOGINDISABLED") : Optional.empty();
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        if (!context.clientLeg().mayAuthenticate()) {
            context.log().warn("refused {} on a plain connection before STARTTLS", command.name());
            return CommandDecision.reject(command.tag() + " NO [PRIVACYREQUIRED] Use STARTTLS before logging in");
        }
        if (command.name().equals("LOGIN")) {
            context.user().named(ImapArguments.firstAstring(command.arguments()));
        } else {
            String[] mechanism = command.arguments().split(" ", 2);
            context.user().start(mechanism[0], mechanism.length > 1 ? Optional.of(mechanism[1]) : Optional.empty());
        }
        // Known here for LOGIN and a SASL initial response; the same answer as for a wrong password.
        Optional<String> user = context.user().user();
        if (user.isPresent() && context.lockedOut(user.get())) {
            context.log().info("refused {} of user {}: locked out after failed logins", command.name(), user.get());
            context.user().forget();
            return CommandDecision.reject(command.tag() + " NO [AUTHENTICATIONFAILED] Authentication failed");
        }
        return command.name().equals("LOGIN") ? CommandDecision.forward() : CommandDecision.forwardThen(this);
    }

    /** A SASL response (or {@code *} to cancel): the exchange goes on until the tagged status. */
    @Override
    public boolean onLine(ImapFrame line, CommandContext context) {
        context.user().onResponse(line.content().toString(ISO_8859_1));
        return true;
    }

    /** A SASL response named a locked-out user: cancelled before the credentials reach the upstream. */
    @Override
    public boolean cancels(CommandContext context) {
        Optional<String> user = context.user().user();
        if (user.isPresent() && context.lockedOut(user.get())) {
            context.log().info("cancelled AUTHENTICATE of user {}: locked out after failed logins", user.get());
            return true;
        }
        return false;
    }

    @Override
    public String cancelledStatus() {
        return "NO [AUTHENTICATIONFAILED] Authentication failed";
    }

    @Override
    public boolean completed(ImapCommand command, String status, CommandContext context) {
        if (status.equals("OK")) {
            context.loggedIn();
            context.log().info("user {} logged in", context.user().user().orElse("(unknown)"));
        } else {
            // One WARN line per failure with client address and user, for fail2ban and the like.
            context.log().warn("login failed for user {} ({} answered {})", context.user().user().orElse("(unknown)"),
                command.name(), status);
            context.loginFailed(context.user().user().orElse("(unknown)"), status);
            context.user().forget();
        }
        return true;
    }
}
