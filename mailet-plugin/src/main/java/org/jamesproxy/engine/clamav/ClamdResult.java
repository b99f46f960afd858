package org.jamesproxy.engine.clamav;

import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;

/**
 * What clamd said about one stream.
 * <ul>
 *   <li>{@link Status#CLEAN}: scanned whole, nothing found;</li>
 *   <li>{@link Status#INFECTED}: a signature matched ({@link #getSignature()}), even if only a prefix was sent;</li>
 *   <li>{@link Status#OVERSIZE}: not scanned whole, so "nothing found" means nothing: the stream was longer than our
 *       limit (only the prefix was sent), clamd's {@code StreamMaxLength} cut it, or clamd reported one of its own
 *       limits ({@code Heuristics.Limits.Exceeded.*}, with {@code AlertExceedsMax yes});</li>
 *   <li>{@link Status#ERROR}: no answer to trust (connection refused, timeout, an {@code ERROR} reply, garbage).</li>
 * </ul>
 */
public final class ClamdResult {
    public enum Status {
        CLEAN, INFECTED, OVERSIZE, ERROR
    }

    public static ClamdResult clean(long bytesSent) {
        return new ClamdResult(Status.CLEAN, Optional.empty(), "clean", bytesSent, false);
    }

    public static ClamdResult infected(String signature, long bytesSent) {
        return infected(signature, bytesSent, false);
    }

    /** @param truncated only a prefix was sent (the match in it is still a match) */
    public static ClamdResult infected(String signature, long bytesSent, boolean truncated) {
        return new ClamdResult(Status.INFECTED, Optional.of(signature), "infected by " + signature, bytesSent, truncated);
    }

    public static ClamdResult oversize(String reason, long bytesSent) {
        return new ClamdResult(Status.OVERSIZE, Optional.empty(), reason, bytesSent, true);
    }

    public static ClamdResult error(String reason, long bytesSent) {
        return new ClamdResult(Status.ERROR, Optional.empty(), reason, bytesSent, false);
    }

    private final Status status;
    private final Optional<String> signature;
    private final String reason;
    private final long bytesSent;
    private final boolean truncated;

    private ClamdResult(Status status, Optional<String> signature, String reason, long bytesSent, boolean truncated) {
        this.status = status;
        this.signature = signature;
        this.reason = reason;
        this.bytesSent = bytesSent;
        this.truncated = truncated;
    }

    /** Whether clamd did not see the whole stream: always for {@link Status#OVERSIZE}, possible for {@link Status#INFECTED}. */
    public boolean isTruncated() {
        return truncated;
    }

    public Status getStatus() {
        return status;
    }

    public boolean isClean() {
        return status == Status.CLEAN;
    }

    /** The signature (virus) name clamd reported, for {@link Status#INFECTED}. */
    public Optional<String> getSignature() {
        return signature;
    }

    /** A short human-readable account, for logs and findings. */
    public String getReason() {
        return reason;
    }

    /** How many bytes of the stream were sent to clamd. */
    public long getBytesSent() {
        return bytesSent;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ClamdResult) {
            ClamdResult that = (ClamdResult) o;
            return bytesSent == that.bytesSent
                && truncated == that.truncated
                && status == that.status
                && Objects.equals(signature, that.signature)
                && Objects.equals(reason, that.reason);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(status, signature, reason, bytesSent, truncated);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("status", status)
            .add("signature", signature)
            .add("reason", reason)
            .add("bytesSent", bytesSent)
            .add("truncated", truncated)
            .toString();
    }
}
