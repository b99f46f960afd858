package org.jamesproxy.imap;

/**
 * A client command the proxy takes part in, in James's style: one small class per command, which decides what
 * becomes of the command and learns how it ended. Handlers are stateless (one instance for all sessions): what they
 * change lives in the session, reached through the {@link CommandContext}. Commands without one are forwarded as
 * they are. A handler whose command is an extension also says how it appears in the capability lists
 * ({@link ImapCapabilities} asks it).
 */
interface CommandHandler {
    /** Client lines a forwarded command's exchange takes over (SASL responses, IDLE's DONE): relayed as they are. */
    interface ClientLines {
        /** Called before the line goes upstream. @return true while the next line belongs to the exchange too */
        boolean onLine(ImapFrame line, CommandContext context);

        /**
         * Asked after {@link #onLine}: true to cancel the exchange instead ({@code *} goes upstream in place of the
         * line) and answer the command with {@link #cancelledStatus()} whatever the upstream says.
         */
        default boolean cancels(CommandContext context) {
            return false;
        }

        /** The status and text that replace the upstream's answer to a cancelled exchange, e.g. {@code NO ...}. */
        default String cancelledStatus() {
            return "NO Cancelled";
        }
    }

    CommandDecision handle(ImapCommand command, CommandContext context);

    /**
     * The upstream's tagged status ({@code OK}, {@code NO}, {@code BAD}, upper case) for a forwarded command.
     *
     * @return true when the client's next lines are commands again (an exchange that took them over ended)
     */
    default boolean completed(ImapCommand command, String status, CommandContext context) {
        return false;
    }
}
