package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Learns who authenticates from a SASL exchange the relay forwards (PLAIN: the authentication identity of the
 * first response; LOGIN: the first response), for logs and the inspection context only: the upstream decides
 * whether the credentials are good, and nothing here ever sees a password again after the call.
 */
public final class SaslUser {
    private String mechanism = "";
    private int responses;
    private Optional<String> user = Optional.empty();

    /**
     * A new exchange.
     *
     * @param initialResponse the base64 response sent with the command (RFC 4954 / 5034 / 4959), if any
     */
    public void start(String mechanism, Optional<String> initialResponse) {
        this.mechanism = mechanism.toUpperCase(Locale.US);
        this.responses = 0;
        initialResponse.filter(value -> !value.equals("=")).ifPresent(this::onResponse);
    }

    /** A client response line (base64, or {@code *} to cancel). */
    public void onResponse(String base64) {
        int step = responses++;
        if (step > 0 || user.isPresent()) {
            return;
        }
        try {
            byte[] decoded = Base64.getDecoder().decode(base64.trim());
            if (mechanism.equals("PLAIN")) {
                // authzid NUL authcid NUL passwd
                String[] parts = new String(decoded, UTF_8).split("\0");
                if (parts.length >= 2 && !parts[1].isEmpty()) {
                    user = Optional.of(parts[1]);
                }
            } else if (mechanism.equals("LOGIN") && decoded.length > 0) {
                user = Optional.of(new String(decoded, UTF_8));
            }
        } catch (IllegalArgumentException e) {
            // Not base64 (e.g. "*" to cancel): nothing to learn, the upstream will answer.
        }
    }

    /** A user named outside SASL (IMAP LOGIN, POP3 USER/APOP). */
    public void named(Optional<String> name) {
        user = name.filter(value -> !value.isEmpty());
    }

    /** The exchange failed: nobody is logged in. */
    public void forget() {
        user = Optional.empty();
    }

    public Optional<String> user() {
        return user;
    }
}
