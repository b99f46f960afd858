package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Locale;
import java.util.Optional;

import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

import com.google.common.collect.ImmutableMap;

/** The path and parameters of a MAIL FROM / RCPT TO command, as far as the proxy's rules need them. */
final class SmtpPath {
    /**
     * @param argument what follows the verb, e.g. {@code "FROM:<a@b.example> SIZE=10"}
     * @param keyword "FROM" or "TO"
     * @return empty when the syntax is wrong
     */
    static Optional<SmtpPath> parse(String argument, String keyword) {
        String trimmed = argument.trim();
        if (!trimmed.toUpperCase(Locale.US).startsWith(keyword + ":")) {
            return Optional.empty();
        }
        String rest = trimmed.substring(keyword.length() + 1).trim();
        if (!rest.startsWith("<")) {
            return Optional.empty();
        }
        int close = rest.indexOf('>');
        if (close < 0) {
            return Optional.empty();
        }
        String path = rest.substring(1, close).trim();
        ImmutableMap.Builder<String, String> parameters = ImmutableMap.builder();
        for (String parameter : rest.substring(close + 1).trim().split("\\s+")) {
            if (!parameter.isEmpty()) {
                int equals = parameter.indexOf('=');
                parameters.put(parameter.substring(0, equals < 0 ? parameter.length() : equals).toUpperCase(Locale.US),
                    equals < 0 ? "" : parameter.substring(equals + 1));
            }
        }
        return Optional.of(new SmtpPath(path, parameters.buildKeepingLast()));
    }

    private final String path;
    private final ImmutableMap<String, String> parameters;

    private SmtpPath(String path, ImmutableMap<String, String> parameters) {
        this.path = path;
        this.parameters = parameters;
    }

    /** RFC 5321 4.1.2 "A-d-l": {@code <@relay1,@relay2:user@domain>}. */
    boolean isSourceRouted() {
        return path.startsWith("@") || path.contains(":");
    }

    boolean isNull() {
        return path.isEmpty();
    }

    /** The mailbox as text (UTF-8 decoded, for SMTPUTF8 addresses), what the allow/deny patterns see. */
    String mailbox() {
        return new String(path.getBytes(ISO_8859_1), UTF_8);
    }

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    Optional<MailAddress> mailAddress() {
        if (isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(mailbox()));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    MaybeSender sender() {
        return mailAddress().map(MaybeSender::of).orElse(MaybeSender.nullSender());
    }
}
