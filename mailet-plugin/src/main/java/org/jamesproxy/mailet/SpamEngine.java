package org.jamesproxy.mailet;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamesproxy.engine.rspamd.RspamdClient;
import org.jamesproxy.engine.rspamd.RspamdResult;
import org.jamesproxy.engine.spamassassin.SpamdClient;
import org.jamesproxy.engine.spamassassin.SpamdResult;

/**
 * The engine behind {@link SpamCheck}: SpamAssassin's spamd or rspamd, behind one verdict so that actions, headers and
 * fail modes are the same for both.
 */
interface SpamEngine {
    /** One engine's answer in the terms SpamCheck acts on. */
    final class Verdict {
        final Optional<String> error;
        final boolean spam;
        final double score;
        final double required;
        final List<String> symbols;
        /** rspamd only: the action rspamd chose (it decides what "spam" means there). */
        final Optional<RspamdResult.Action> rspamdAction;

        private Verdict(Optional<String> error, boolean spam, double score, double required, List<String> symbols,
                        Optional<RspamdResult.Action> rspamdAction) {
            this.error = error;
            this.spam = spam;
            this.score = score;
            this.required = required;
            this.symbols = symbols;
            this.rspamdAction = rspamdAction;
        }

        static Verdict of(SpamdResult result) {
            if (result.isError()) {
                return new Verdict(Optional.of(result.getErrorReason()), false, 0, 0, List.of(), Optional.empty());
            }
            return new Verdict(Optional.empty(), result.isSpam(), result.getScore(), result.getThreshold(), result.getSymbols(),
                Optional.empty());
        }

        /** Spam for rspamd: any action but {@code no action} and {@code greylist} (see {@link SpamCheck}). */
        static Verdict of(RspamdResult result) {
            if (result.isError()) {
                return new Verdict(Optional.of(result.getErrorReason()), false, 0, 0, List.of(), Optional.empty());
            }
            RspamdResult.Action action = result.getAction();
            boolean spam = action == RspamdResult.Action.REJECT || action == RspamdResult.Action.REWRITE_SUBJECT
                || action == RspamdResult.Action.ADD_HEADER;
            double required = Double.isNaN(result.getRequiredScore()) ? 0 : result.getRequiredScore();
            return new Verdict(Optional.empty(), spam, result.getScore(), required, result.getSymbols(), Optional.of(action));
        }
    }

    Verdict check(byte[] message, int length, Mail mail, Optional<String> user);

    String name();

    static SpamEngine spamd(SpamdClient client) {
        return new SpamEngine() {
            @Override
            public Verdict check(byte[] message, int length, Mail mail, Optional<String> user) {
                return Verdict.of(client.check(message, length, user));
            }

            @Override
            public String name() {
                return "spamd";
            }
        };
    }

    static SpamEngine rspamd(RspamdClient client) {
        return new SpamEngine() {
            @Override
            public Verdict check(byte[] message, int length, Mail mail, Optional<String> user) {
                RspamdClient.Envelope envelope = new RspamdClient.Envelope(
                    mail.getMaybeSender().asOptional().map(MailAddress::asString),
                    mail.getRecipients().stream().map(MailAddress::asString).limit(100).toList(),
                    Optional.ofNullable(mail.getRemoteAddr()).filter(address -> !address.isBlank()),
                    user);
                return Verdict.of(client.check(message, length, envelope));
            }

            @Override
            public String name() {
                return "rspamd";
            }
        };
    }

    static Optional<String> parseName(String value) {
        String normalized = value.trim().toLowerCase(Locale.US);
        return normalized.equals("spamd") || normalized.equals("rspamd") ? Optional.of(normalized) : Optional.empty();
    }
}
