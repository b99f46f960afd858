package org.jamesproxy.mailet.action;

import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;

/**
 * One thing a rule found in a message, and what the rule says to do about it. The optional fields feed the deny
 * message variables {@code %(filename)%}, {@code %(type)%}, {@code %(virus)%}; {@link #getPart()} says which part
 * {@link RuleAction#STRIP} and {@link RuleAction#QUARANTINE} act on ({@link PartPath#ROOT}: the whole message).
 */
public final class Finding {
    /** Which kind of rule fired: used in logs, alarms and metrics. */
    public enum Category {
        CONTENT_TYPE, FILENAME, HEADER, VIRUS, SPAM, UNSCANNABLE, ENGINE_FAILURE
    }

    public static Builder builder(Category category, RuleAction action, String reason) {
        return new Builder(category, action, reason);
    }

    public static final class Builder {
        private final Category category;
        private final RuleAction action;
        private final String reason;
        private PartPath part = PartPath.ROOT;
        private Optional<String> filename = Optional.empty();
        private Optional<String> type = Optional.empty();
        private Optional<String> virus = Optional.empty();

        private Builder(Category category, RuleAction action, String reason) {
            this.category = Objects.requireNonNull(category);
            this.action = Objects.requireNonNull(action);
            this.reason = Objects.requireNonNull(reason);
        }

        public Builder part(PartPath part) {
            this.part = Objects.requireNonNull(part);
            return this;
        }

        public Builder filename(Optional<String> filename) {
            this.filename = filename;
            return this;
        }

        public Builder filename(String filename) {
            return filename(Optional.of(filename));
        }

        public Builder type(Optional<String> type) {
            this.type = type;
            return this;
        }

        public Builder type(String type) {
            return type(Optional.of(type));
        }

        public Builder virus(String virus) {
            this.virus = Optional.of(virus);
            return this;
        }

        public Finding build() {
            return new Finding(category, action, reason, part, filename, type, virus);
        }
    }

    private final Category category;
    private final RuleAction action;
    private final String reason;
    private final PartPath part;
    private final Optional<String> filename;
    private final Optional<String> type;
    private final Optional<String> virus;

    private Finding(Category category, RuleAction action, String reason, PartPath part, Optional<String> filename,
                    Optional<String> type, Optional<String> virus) {
        this.category = category;
        this.action = action;
        this.reason = reason;
        this.part = part;
        this.filename = filename;
        this.type = type;
        this.virus = virus;
    }

    public Category getCategory() {
        return category;
    }

    public RuleAction getAction() {
        return action;
    }

    /** One human-readable line: logged, put in SMTP replies and in the deny message's {@code %(reason)%}. */
    public String getReason() {
        return reason;
    }

    public PartPath getPart() {
        return part;
    }

    public Optional<String> getFilename() {
        return filename;
    }

    public Optional<String> getType() {
        return type;
    }

    public Optional<String> getVirus() {
        return virus;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof Finding) {
            Finding that = (Finding) o;
            return Objects.equals(category, that.category)
                && Objects.equals(action, that.action)
                && Objects.equals(reason, that.reason)
                && Objects.equals(part, that.part)
                && Objects.equals(filename, that.filename)
                && Objects.equals(type, that.type)
                && Objects.equals(virus, that.virus);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(category, action, reason, part, filename, type, virus);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("category", category)
            .add("action", action)
            .add("reason", reason)
            .add("part", part)
            .add("filename", filename)
            .add("type", type)
            .add("virus", virus)
            .toString();
    }
}
