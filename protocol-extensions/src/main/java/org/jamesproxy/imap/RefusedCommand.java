package org.jamesproxy.imap;

/**
 * A command the proxy cannot relay: COMPRESS would change the framing under the relay, UNAUTHENTICATE the session
 * state it tracks. Answered BAD here. Their capabilities are never advertised: {@link ImapCapabilities}' allow-list
 * does not hold them.
 */
final class RefusedCommand implements CommandHandler {
    static final RefusedCommand INSTANCE = new RefusedCommand();

    private RefusedCommand() {
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        return CommandDecision.reject(command.tag() + " BAD " + command.name() + " is not available through this proxy");
    }
}
