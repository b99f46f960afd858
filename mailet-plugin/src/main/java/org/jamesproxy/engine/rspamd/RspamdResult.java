package org.jamesproxy.engine.rspamd;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/** What rspamd said of a message: its action, score and required score, the symbols that hit; or why it could not say. */
public final class RspamdResult {
    /** rspamd's actions (its {@code actions} configuration), from the most severe. */
    public enum Action {
        REJECT("reject"), SOFT_REJECT("soft reject"), REWRITE_SUBJECT("rewrite subject"), ADD_HEADER("add header"),
        GREYLIST("greylist"), NO_ACTION("no action");

        private final String word;

        Action(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        static Optional<Action> parse(String value) {
            String normalized = value.trim().toLowerCase(Locale.US).replace('_', ' ');
            for (Action action : values()) {
                if (action.word.equals(normalized)) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }
    }

    public static RspamdResult verdict(Action action, double score, double required, List<String> symbols) {
        return new RspamdResult(Optional.empty(), action, score, required, ImmutableList.copyOf(symbols));
    }

    public static RspamdResult error(String reason) {
        return new RspamdResult(Optional.of(reason), Action.NO_ACTION, 0, 0, ImmutableList.of());
    }

    private final Optional<String> error;
    private final Action action;
    private final double score;
    private final double required;
    private final ImmutableList<String> symbols;

    private RspamdResult(Optional<String> error, Action action, double score, double required, ImmutableList<String> symbols) {
        this.error = error;
        this.action = action;
        this.score = score;
        this.required = required;
        this.symbols = symbols;
    }

    public boolean isError() {
        return error.isPresent();
    }

    public String getErrorReason() {
        Preconditions.checkState(error.isPresent(), "not an error");
        return error.get();
    }

    public Action getAction() {
        return action;
    }

    public double getScore() {
        return score;
    }

    /** rspamd's {@code required_score} (its reject threshold); NaN when the reply had none. */
    public double getRequiredScore() {
        return required;
    }

    public List<String> getSymbols() {
        return symbols;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).omitNullValues()
            .add("error", error.orElse(null)).add("action", action).add("score", score).add("required", required)
            .add("symbols", symbols).toString();
    }
}
