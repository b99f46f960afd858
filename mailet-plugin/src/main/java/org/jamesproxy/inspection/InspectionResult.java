package org.jamesproxy.inspection;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * The outcome of a proxy action: a verdict, the reason (for logs, deny notices and SMTP replies) and, when the
 * message changed, the bytes to put on the wire instead of the original. For {@link Verdict#DENY} the content
 * is the deny notice that IMAP/POP3 deliver in place of the message.
 */
public final class InspectionResult {
    private static final InspectionResult UNCHANGED = new InspectionResult(Verdict.ALLOW, Optional.empty(), Optional.empty());

    public static InspectionResult unchanged() {
        return UNCHANGED;
    }

    public static InspectionResult modified(byte[] content) {
        return new InspectionResult(Verdict.ALLOW, Optional.empty(), Optional.of(content));
    }

    public static InspectionResult denied(String reason, byte[] denyNotice) {
        return new InspectionResult(Verdict.DENY, Optional.of(reason), Optional.of(denyNotice));
    }

    private final Verdict verdict;
    private final Optional<String> reason;
    private final Optional<byte[]> content;

    private InspectionResult(Verdict verdict, Optional<String> reason, Optional<byte[]> content) {
        Preconditions.checkArgument(verdict == Verdict.ALLOW || content.isPresent(), "a denied message needs its notice");
        this.verdict = verdict;
        this.reason = reason;
        this.content = content;
    }

    public Verdict getVerdict() {
        return verdict;
    }

    public Optional<String> getReason() {
        return reason;
    }

    /** Empty when the original bytes can go on the wire untouched. */
    public Optional<byte[]> getContent() {
        return content;
    }

    public boolean isModified() {
        return content.isPresent();
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof InspectionResult) {
            InspectionResult that = (InspectionResult) o;
            return Objects.equals(verdict, that.verdict)
                && Objects.equals(reason, that.reason)
                && content.isPresent() == that.content.isPresent()
                && (content.isEmpty() || Arrays.equals(content.get(), that.content.get()));
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(verdict, reason, content.map(Arrays::hashCode).orElse(0));
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("verdict", verdict)
            .add("reason", reason)
            .add("contentLength", content.map(c -> c.length))
            .toString();
    }
}
