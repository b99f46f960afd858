package org.jamesproxy.smtp;

import java.util.ArrayList;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/**
 * The mail transaction as the client sees it (RFC 5321 3.3): no sender yet, MAIL sent, MAIL accepted; the sender and
 * the recipients the upstream accepted. The generation makes replies to commands sent before an RSET or EHLO harmless:
 * a reply only changes the transaction it was asked in.
 */
final class SmtpTransaction {
    enum MailState {
        NONE, PENDING, ACCEPTED
    }

    private int generation;
    private MailState mailState = MailState.NONE;
    private MaybeSender sender = MaybeSender.nullSender();
    private final List<MailAddress> recipients = new ArrayList<>();
    private int recipientsForwarded;

    /** RSET, EHLO, STARTTLS, or a message done with: a new transaction. */
    void reset() {
        generation++;
        mailState = MailState.NONE;
        sender = MaybeSender.nullSender();
        recipients.clear();
        recipientsForwarded = 0;
    }

    int generation() {
        return generation;
    }

    boolean isCurrent(int askedIn) {
        return askedIn == generation;
    }

    MailState mailState() {
        return mailState;
    }

    void mailSent() {
        mailState = MailState.PENDING;
    }

    void mailAnswered(boolean accepted, MaybeSender acceptedSender) {
        mailState = accepted ? MailState.ACCEPTED : MailState.NONE;
        if (accepted) {
            sender = acceptedSender;
        }
    }

    /** Counted when sent, so that pipelined RCPTs respect maxRecipients before their replies. */
    void recipientSent() {
        recipientsForwarded++;
    }

    int recipientsForwarded() {
        return recipientsForwarded;
    }

    void recipientAnswered(boolean accepted, java.util.Optional<MailAddress> recipient) {
        if (accepted) {
            recipient.ifPresent(recipients::add);
        } else {
            recipientsForwarded--;
        }
    }

    MaybeSender sender() {
        return sender;
    }

    List<MailAddress> recipients() {
        return recipients;
    }
}
