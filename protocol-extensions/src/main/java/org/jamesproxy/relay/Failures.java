package org.jamesproxy.relay;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns an exception into the one line an operator needs: what happened in words, then the root cause's type and message. */
public final class Failures {
    private static final Pattern ALERT = Pattern.compile("Received fatal alert: (\\w+)");

    private Failures() {
    }

    public static String describe(Throwable cause) {
        return rootDescription(cause);
    }

    /**
     * A failure on the client leg, where the proxy is the TLS server: TLS handshake failures in words first
     * ("the client rejected the certificate (unknown CA)") so an admin need not decode JSSE exceptions.
     */
    public static String describeClientLeg(Throwable cause) {
        return clientTlsWords(cause).map(words -> "TLS handshake failed: " + words + " [" + rootDescription(cause) + "]")
            .orElseGet(() -> rootDescription(cause));
    }

    static Optional<String> clientTlsWords(Throwable cause) {
        for (Throwable current = cause; current != null; current = current.getCause() == current ? null : current.getCause()) {
            String type = current.getClass().getSimpleName();
            String message = String.valueOf(current.getMessage());
            String lower = message.toLowerCase(Locale.ROOT);
            Matcher alert = ALERT.matcher(message);
            if (alert.find()) {
                return Optional.of(alertWords(alert.group(1)));
            }
            if (type.equals("BadPaddingException") || lower.contains("insufficient buffer remaining for aead")) {
                // A TLS 1.3 client that refuses our certificate sends its alert unencrypted, which the JDK cannot decrypt.
                return Optional.of("the client rejected the certificate (it aborted the handshake after receiving it:"
                    + " unknown CA or a name it did not ask for)");
            }
            if (type.equals("NotSslRecordException") || lower.contains("unsupported or unrecognized ssl message")
                || lower.contains("plaintext connection")) {
                return Optional.of("not TLS: the client sent plaintext to a TLS port");
            }
            if (lower.contains("protocol version") || lower.contains("no appropriate protocol")
                || lower.contains("requested protocol") || lower.contains("supported protocol versions")) {
                return Optional.of("protocol version: the client offers no TLS version the policy's TLS profile accepts");
            }
            if (lower.contains("no cipher suites in common") || lower.contains("no negotiable cipher suite")) {
                return Optional.of("no cipher suite in common with the policy's TLS profile");
            }
        }
        return Optional.empty();
    }

    private static String alertWords(String alert) {
        switch (alert) {
            case "unknown_ca":
                return "the client rejected the certificate: unknown CA (it does not trust the CA that issued it)";
            case "certificate_unknown":
            case "bad_certificate":
            case "unsupported_certificate":
                return "the client rejected the certificate (alert " + alert + ": untrusted, or not for the name it asked for)";
            case "certificate_expired":
                return "the client rejected the certificate: expired";
            case "certificate_revoked":
                return "the client rejected the certificate: revoked";
            case "protocol_version":
                return "protocol version: the client and the policy's TLS profile share no TLS version";
            case "handshake_failure":
            case "insufficient_security":
                return "no common cipher suite or parameters (alert " + alert + ")";
            default:
                return "the client aborted the handshake (alert " + alert + ")";
        }
    }

    private static String rootDescription(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
