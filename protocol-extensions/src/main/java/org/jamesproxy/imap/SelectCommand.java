package org.jamesproxy.imap;

import java.util.Locale;

/**
 * SELECT and EXAMINE, CLOSE and UNSELECT: forwarded, and followed by the {@link SelectedMailbox}, which keys the
 * inspected views (mailbox and UIDVALIDITY).
 */
final class SelectCommand implements CommandHandler {
    static final SelectCommand INSTANCE = new SelectCommand();

    private SelectCommand() {
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        if (command.name().equals("SELECT") || command.name().equals("EXAMINE")) {
            // INBOX is case-insensitive (RFC 3501 §5.1); other names are kept as sent.
            context.mailbox().selecting(command.tag(), ImapArguments.firstAstring(command.arguments())
                .map(name -> name.equalsIgnoreCase("INBOX") ? name.toUpperCase(Locale.US) : name));
        }
        return CommandDecision.forward();
    }

    @Override
    public boolean completed(ImapCommand command, String status, CommandContext context) {
        if (command.name().equals("SELECT") || command.name().equals("EXAMINE")) {
            context.mailbox().completed(command.tag(), status);
        } else if (status.equals("OK")) {
            context.mailbox().deselected();
        }
        return false;
    }
}
