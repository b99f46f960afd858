package org.jamesproxy.imap;

import java.util.Optional;

/**
 * STARTTLS on the client leg: ours, never the upstream's (the upstream leg has its own TLS). Refused when TLS is
 * already there, not offered by the policy, or after authentication (RFC 9051); otherwise the go-ahead waits for
 * the commands in flight, so their responses stay in clear where they belong (see {@link ClientCommands}).
 */
final class StartTlsCommand implements CommandHandler {
    static final StartTlsCommand INSTANCE = new StartTlsCommand();

    private StartTlsCommand() {
    }

    /** Advertised only while the client may still upgrade. */
    static Optional<String> capability(ImapCapabilities.ClientLeg leg) {
        return !leg.tlsActive && leg.startTlsOffered && !leg.authenticated ? Optional.of("STARTTLS") : Optional.empty();
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        if (!command.arguments().isBlank()) {
            // RFC 9051 6.2.1: STARTTLS takes no arguments; anything after it is not a command of ours to guess at.
            return CommandDecision.reply(command.tag() + " BAD STARTTLS takes no arguments");
        }
        if (context.tlsActive()) {
            return CommandDecision.reply(command.tag() + " BAD TLS is already active");
        }
        if (!context.clientLeg().startTlsOffered) {
            return CommandDecision.reply(command.tag() + " BAD STARTTLS is not available");
        }
        if (context.clientLeg().authenticated) {
            return CommandDecision.reply(command.tag() + " BAD STARTTLS is not permitted after authentication");
        }
        return CommandDecision.startTls();
    }
}
