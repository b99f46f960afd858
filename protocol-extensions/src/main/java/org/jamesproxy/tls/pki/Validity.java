package org.jamesproxy.tls.pki;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * The notBefore/notAfter window of a certificate.
 *
 * <p>{@link #startingNow(Duration)} back-dates notBefore by {@link #CLOCK_SKEW} (5 minutes) so that a peer whose clock is
 * slightly behind still accepts a freshly issued certificate. {@link #between(Instant, Instant)} is exact: tests use it for
 * expired or not-yet-valid certificates.</p>
 */
public final class Validity {
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    public static Validity startingNow(Duration duration) {
        return startingNow(duration, Clock.systemUTC());
    }

    public static Validity startingNow(Duration duration, Clock clock) {
        Preconditions.checkArgument(!duration.isNegative() && !duration.isZero(), "validity must be positive: %s", duration);
        Instant now = clock.instant();
        return new Validity(now.minus(CLOCK_SKEW), now.plus(duration));
    }

    public static Validity between(Instant notBefore, Instant notAfter) {
        return new Validity(notBefore, notAfter);
    }

    private final Instant notBefore;
    private final Instant notAfter;

    private Validity(Instant notBefore, Instant notAfter) {
        Preconditions.checkArgument(notBefore.isBefore(notAfter), "notBefore %s must precede notAfter %s", notBefore, notAfter);
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    public Instant notBefore() {
        return notBefore;
    }

    public Instant notAfter() {
        return notAfter;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Validity) {
            Validity that = (Validity) o;
            return notBefore.equals(that.notBefore) && notAfter.equals(that.notAfter);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(notBefore, notAfter);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("notBefore", notBefore).add("notAfter", notAfter).toString();
    }
}
