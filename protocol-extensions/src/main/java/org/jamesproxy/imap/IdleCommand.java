package org.jamesproxy.imap;

/**
 * IDLE (RFC 2177): relayed; while it lasts the client is silent for long, so the policy's IDLE timeout replaces the
 * idle timeout until the upstream completes the command. The client's one line meanwhile (DONE) goes upstream as
 * it is.
 */
final class IdleCommand implements CommandHandler, CommandHandler.ClientLines {
    static final IdleCommand INSTANCE = new IdleCommand();

    private IdleCommand() {
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        context.idling(true);
        return CommandDecision.forwardThen(this);
    }

    @Override
    public boolean onLine(ImapFrame line, CommandContext context) {
        // Only DONE is valid here; the upstream judges it.
        return false;
    }

    @Override
    public boolean completed(ImapCommand command, String status, CommandContext context) {
        context.idling(false);
        return true;
    }
}
