package org.jamesproxy.engine.spamassassin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/** spamd's verdict on one message ({@code Spam: True ; 7.3 / 5.0} and the rules that hit), or why there is none. */
public final class SpamdResult {
    public static SpamdResult verdict(boolean spam, double score, double threshold, List<String> symbols) {
        return new SpamdResult(Optional.empty(), spam, score, threshold, ImmutableList.copyOf(symbols));
    }

    public static SpamdResult error(String reason) {
        return new SpamdResult(Optional.of(reason), false, 0, 0, ImmutableList.of());
    }

    private final Optional<String> error;
    private final boolean spam;
    private final double score;
    private final double threshold;
    private final ImmutableList<String> symbols;

    private SpamdResult(Optional<String> error, boolean spam, double score, double threshold, ImmutableList<String> symbols) {
        this.error = error;
        this.spam = spam;
        this.score = score;
        this.threshold = threshold;
        this.symbols = symbols;
    }

    /** spamd could not be asked or did not answer properly: the fields below mean nothing then. */
    public boolean isError() {
        return error.isPresent();
    }

    public String getErrorReason() {
        Preconditions.checkState(error.isPresent(), "not an error");
        return error.get();
    }

    /** spamd's own verdict: score at or above its required score. */
    public boolean isSpam() {
        return spam;
    }

    public double getScore() {
        return score;
    }

    /** The required score spamd applied. */
    public double getThreshold() {
        return threshold;
    }

    /** The names of the rules that hit (empty when asked with {@code CHECK}). */
    public List<String> getSymbols() {
        return symbols;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof SpamdResult) {
            SpamdResult that = (SpamdResult) o;
            return spam == that.spam
                && Double.compare(score, that.score) == 0
                && Double.compare(threshold, that.threshold) == 0
                && Objects.equals(error, that.error)
                && Objects.equals(symbols, that.symbols);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(error, spam, score, threshold, symbols);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("error", error)
            .add("spam", spam)
            .add("score", score)
            .add("threshold", threshold)
            .add("symbols", symbols)
            .toString();
    }
}
