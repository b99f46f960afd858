package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

import org.jamesproxy.config.SmtpPolicy;

/**
 * One check of a MAIL FROM or RCPT TO path before it is forwarded, in the manner of James's MailHook/RcptHook: it
 * lets the path through, or refuses it with the client's reply. The lists are built once per policy.
 */
@FunctionalInterface
interface EnvelopeRule {
    /**
     * @param reply the client's reply, e.g. {@code 550 5.7.1 Sender address rejected by policy}
     * @param policyRejection what the log and the policy-rejections counter call it, when a policy rule refused
     */
    record Refusal(String reply, Optional<String> policyRejection) {
        static Optional<Refusal> byPolicy(String what, String reply) {
            return Optional.of(new Refusal(reply, Optional.of(what)));
        }

        static Optional<Refusal> reply(String reply) {
            return Optional.of(new Refusal(reply, Optional.empty()));
        }
    }

    Optional<Refusal> check(SmtpPath path, SmtpTransaction transaction);

    /** The MAIL FROM rules of a policy, in the order they are checked. */
    static List<EnvelopeRule> mailFrom(SmtpPolicy policy) {
        return List.of(noSourceRoute(policy, "sender"), declaredSizeWithin(policy), noBinaryMime(), senderPermitted(policy));
    }

    /** The RCPT TO rules of a policy, in the order they are checked. */
    static List<EnvelopeRule> rcptTo(SmtpPolicy policy) {
        return List.of(noSourceRoute(policy, "recipient"), recipientPermitted(policy), recipientsWithin(policy));
    }

    /**
     * Checks the path against the rules in order; the first refusal is the client's reply (counted as a policy
     * rejection when a policy rule made it).
     *
     * @return true when the path may be forwarded
     */
    static boolean passes(List<EnvelopeRule> rules, SmtpPath path, SmtpConversation session) {
        for (EnvelopeRule rule : rules) {
            Optional<Refusal> refusal = rule.check(path, session.state().transaction());
            if (refusal.isPresent()) {
                refusal.get().policyRejection().ifPresent(session::policyRejection);
                session.localReply(refusal.get().reply());
                return false;
            }
        }
        return true;
    }

    private static EnvelopeRule noSourceRoute(SmtpPolicy policy, String role) {
        return (path, transaction) -> policy.isBlockSourceRoutes() && path.isSourceRouted()
            ? Refusal.byPolicy("source-routed " + role + " " + path.mailbox(), "553 5.7.1 Source-routed addresses are not accepted")
            : Optional.empty();
    }

    private static EnvelopeRule declaredSizeWithin(SmtpPolicy policy) {
        return (path, transaction) -> path.parameter("SIZE").flatMap(EnvelopeRule::parseLong)
            .filter(size -> size > policy.getMaxMessageSize())
            .flatMap(size -> Refusal.reply("552 5.3.4 Message size exceeds fixed maximum message size"));
    }

    private static EnvelopeRule noBinaryMime() {
        return (path, transaction) -> path.parameter("BODY").filter(body -> body.equalsIgnoreCase("BINARYMIME")).isPresent()
            ? Refusal.reply("555 5.5.4 BODY=BINARYMIME is not supported")
            : Optional.empty();
    }

    /** The null sender (bounces) is exempt from allow patterns: refusing bounces breaks mail; deny patterns still apply. */
    private static EnvelopeRule senderPermitted(SmtpPolicy policy) {
        return (path, transaction) -> {
            boolean permitted = path.isNull() ? !policy.getMailFrom().denies("") : policy.getMailFrom().permits(path.mailbox());
            return permitted ? Optional.empty()
                : Refusal.byPolicy("sender " + path.mailbox(), "550 5.7.1 Sender address rejected by policy");
        };
    }

    private static EnvelopeRule recipientPermitted(SmtpPolicy policy) {
        return (path, transaction) -> policy.getRcptTo().permits(path.mailbox()) ? Optional.empty()
            : Refusal.byPolicy("recipient " + path.mailbox(), "550 5.7.1 Recipient address rejected by policy");
    }

    /** Each extra RCPT is refused on its own (RFC 5321 4.5.3.1.10); none is dropped silently. */
    private static EnvelopeRule recipientsWithin(SmtpPolicy policy) {
        return (path, transaction) -> transaction.recipientsForwarded() >= policy.getMaxRecipients()
            ? Refusal.reply("452 4.5.3 Too many recipients")
            : Optional.empty();
    }

    private static Optional<Long> parseLong(String value) {
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
