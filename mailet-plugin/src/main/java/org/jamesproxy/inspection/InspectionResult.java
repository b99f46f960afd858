package org.jamesproxy.inspection;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * The outcome of a proxy action: a verdict, the reason (for logs, deny notices and SMTP replies) and, when the
 * message changed, the bytes to put on the wire instead of the original. For {@link Verdict#DENY} and
 * {@link Verdict#TEMPFAIL} the content is the deny notice that IMAP/POP3 deliver in place of the message;
 * {@link Verdict#DROP} and {@link Verdict#BLOCK} have no content (the relay closes the connection).
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

    /** The message could not be decided now (engine down...): SMTP 451, IMAP/POP3 the notice. */
    public static InspectionResult tempfailed(String reason, byte[] denyNotice) {
        return new InspectionResult(Verdict.TEMPFAIL, Optional.of(reason), Optional.of(denyNotice));
    }

    /** Close the client connection. */
    public static InspectionResult dropped(String reason) {
        return new InspectionResult(Verdict.DROP, Optional.of(reason), Optional.empty());
    }

    /** Close the client connection and report the client to the block hook. */
    public static InspectionResult blocked(String reason) {
        return new InspectionResult(Verdict.BLOCK, Optional.of(reason), Optional.empty());
    }

    /** Any refusing verdict; the notice is used only by {@link Verdict#hasNotice()} verdicts. */
    public static InspectionResult refused(Verdict verdict, String reason, byte[] denyNotice) {
        Preconditions.checkArgument(verdict.refuses(), "allow is not a refusal");
        return new InspectionResult(verdict, Optional.of(reason), verdict.hasNotice() ? Optional.of(denyNotice) : Optional.empty());
    }

    private final Verdict verdict;
    private final Optional<String> reason;
    private final Optional<byte[]> content;

    private InspectionResult(Verdict verdict, Optional<String> reason, Optional<byte[]> content) {
        Preconditions.checkArgument(!verdict.hasNotice() || content.isPresent(), "a denied message needs its notice");
        Preconditions.checkArgument(!verdict.closesConnection() || content.isEmpty(), "a dropped message has no content");
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

    /** Empty when the original bytes can go on the wire untouched, and for {@link Verdict#closesConnection()}. */
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
