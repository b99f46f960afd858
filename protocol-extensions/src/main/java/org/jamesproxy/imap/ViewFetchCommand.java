package org.jamesproxy.imap;

import java.util.Optional;

/**
 * FETCH and UID FETCH: where the policy answers content items from inspected views ({@code partialFetch inspect}),
 * a command asking for any becomes a {@link FetchPlan}; items the proxy cannot parse are refused with BAD rather
 * than relayed, as the proxy could not tell what they reveal. Everything else is forwarded as it is.
 */
final class ViewFetchCommand implements CommandHandler {
    static final ViewFetchCommand INSTANCE = new ViewFetchCommand();

    private ViewFetchCommand() {
    }

    @Override
    public CommandDecision handle(ImapCommand command, CommandContext context) {
        if (!context.answersFetchFromViews()) {
            return CommandDecision.forward();
        }
        Optional<FetchPlan> plan;
        try {
            plan = FetchPlan.of(command);
        } catch (IllegalArgumentException e) {
            context.log().info("refused {}: {}", command.name(), e.getMessage());
            return CommandDecision.reject(command.tag() + " BAD " + e.getMessage());
        }
        return plan.map(CommandDecision::viewFetch).orElse(CommandDecision.forward());
    }
}
