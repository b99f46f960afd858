package org.jamesproxy.mime;

import java.util.Locale;
import java.util.Optional;

import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.RuleAction;

/** Reads typed mailet parameters once, at init; every error names the mailet, the parameter and the bad value. */
public final class MailetParameters {
    private final MailetConfig config;

    public MailetParameters(MailetConfig config) {
        this.config = config;
    }

    public String mailetName() {
        return config.getMailetName();
    }

    public Optional<String> string(String name) {
        return Optional.ofNullable(config.getInitParameter(name)).map(String::trim);
    }

    public String required(String name, String what) throws MailetException {
        return string(name).filter(value -> !value.isEmpty())
            .orElseThrow(() -> new MailetException(mailetName() + ": missing required parameter '" + name + "' (" + what + ")"));
    }

    public boolean bool(String name, boolean defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get().toLowerCase(Locale.US)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw invalid(name, value.get(), "expected true or false");
        }
    }

    /** A positive whole number. */
    public int positiveInt(String name, int defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed <= 0) {
                throw invalid(name, value.get(), "must be at least 1");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "expected a whole number");
        }
    }

    /** A positive size in bytes, with an optional {@code K}, {@code M} or {@code G} suffix (powers of 1024). */
    public long size(String name, long defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        String text = value.get().toUpperCase(Locale.US);
        long unit = 1;
        if (text.endsWith("K") || text.endsWith("M") || text.endsWith("G")) {
            unit = text.endsWith("K") ? 1L << 10 : text.endsWith("M") ? 1L << 20 : 1L << 30;
            text = text.substring(0, text.length() - 1).trim();
        }
        try {
            long parsed = Long.parseLong(text);
            if (parsed <= 0 || parsed > Long.MAX_VALUE / unit) {
                throw invalid(name, value.get(), "must be a positive size");
            }
            return parsed * unit;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "expected a size such as 1048576, 512K or 64M");
        }
    }

    public RuleAction action(String name, RuleAction defaultValue) throws MailetException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        return RuleAction.parse(value.get())
            .orElseThrow(() -> invalid(name, value.get(), "expected an action: allow, strip, quarantine (lock), tempfail, deny, drop or block"));
    }

    public MailetException invalid(String name, String value, String why) {
        return new MailetException(mailetName() + ": invalid value '" + value + "' for parameter '" + name + "': " + why);
    }
}
