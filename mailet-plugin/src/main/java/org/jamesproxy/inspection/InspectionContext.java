package org.jamesproxy.inspection;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/** Who and what a message is inspected for. The pipeline never sees a channel, only this. */
public final class InspectionContext {
    public static Builder builder(Protocol protocol, String policyName) {
        return new Builder(protocol, policyName);
    }

    public static final class Builder {
        private final Protocol protocol;
        private final String policyName;
        private Optional<String> user = Optional.empty();
        private String remoteAddress = "unknown";
        private String sessionId = "";
        private MaybeSender sender = MaybeSender.nullSender();
        private ImmutableList<MailAddress> recipients = ImmutableList.of();

        private Builder(Protocol protocol, String policyName) {
            this.protocol = Objects.requireNonNull(protocol);
            this.policyName = Objects.requireNonNull(policyName);
        }

        public Builder user(Optional<String> user) {
            this.user = user;
            return this;
        }

        public Builder remoteAddress(String remoteAddress) {
            this.remoteAddress = remoteAddress;
            return this;
        }

        public Builder sessionId(String sessionId) {
            this.sessionId = sessionId;
            return this;
        }

        public Builder sender(MaybeSender sender) {
            this.sender = sender;
            return this;
        }

        public Builder recipients(List<MailAddress> recipients) {
            this.recipients = ImmutableList.copyOf(recipients);
            return this;
        }

        public InspectionContext build() {
            return new InspectionContext(protocol, policyName, user, remoteAddress, sessionId, sender, recipients);
        }
    }

    private final Protocol protocol;
    private final String policyName;
    private final Optional<String> user;
    private final String remoteAddress;
    private final String sessionId;
    private final MaybeSender sender;
    private final ImmutableList<MailAddress> recipients;

    private InspectionContext(Protocol protocol, String policyName, Optional<String> user, String remoteAddress,
                              String sessionId, MaybeSender sender, ImmutableList<MailAddress> recipients) {
        this.protocol = protocol;
        this.policyName = policyName;
        this.user = user;
        this.remoteAddress = remoteAddress;
        this.sessionId = sessionId;
        this.sender = sender;
        this.recipients = recipients;
    }

    public Protocol getProtocol() {
        return protocol;
    }

    public String getPolicyName() {
        return policyName;
    }

    /** The authenticated user on the proxied session, when known (IMAP/POP3 after login, SMTP after AUTH). */
    public Optional<String> getUser() {
        return user;
    }

    public String getRemoteAddress() {
        return remoteAddress;
    }

    public String getSessionId() {
        return sessionId;
    }

    /** SMTP envelope sender; the null sender for IMAP/POP3 downloads. */
    public MaybeSender getSender() {
        return sender;
    }

    /** SMTP envelope recipients; empty for IMAP/POP3 downloads (the pipeline then uses the user). */
    public List<MailAddress> getRecipients() {
        return recipients;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof InspectionContext) {
            InspectionContext that = (InspectionContext) o;
            return Objects.equals(protocol, that.protocol)
                && Objects.equals(policyName, that.policyName)
                && Objects.equals(user, that.user)
                && Objects.equals(remoteAddress, that.remoteAddress)
                && Objects.equals(sessionId, that.sessionId)
                && Objects.equals(sender, that.sender)
                && Objects.equals(recipients, that.recipients);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(protocol, policyName, user, remoteAddress, sessionId, sender, recipients);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("protocol", protocol)
            .add("policy", policyName)
            .add("user", user)
            .add("remoteAddress", remoteAddress)
            .add("sessionId", sessionId)
            .toString();
    }
}
