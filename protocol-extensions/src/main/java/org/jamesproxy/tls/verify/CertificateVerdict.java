package org.jamesproxy.tls.verify;

import java.util.Map;
import java.util.stream.Collectors;

import org.jamesproxy.config.TlsProfile;

import com.google.common.collect.ImmutableMap;

/**
 * What the upstream leg's certificate check found: each failure kind with its detail, and whether the profile lets
 * the connection go on. {@link #describe()} is the word the handshake log prints.
 */
public final class CertificateVerdict {
    /** The SSLSession value key under which the upstream trust manager leaves its verdict. */
    public static final String SESSION_KEY = "org.jamesproxy.tls.verdict";

    private final ImmutableMap<TlsProfile.FailureKind, String> failures;
    private final boolean denied;
    private final String notes;

    public CertificateVerdict(Map<TlsProfile.FailureKind, String> failures, boolean denied, String notes) {
        this.failures = ImmutableMap.copyOf(failures);
        this.denied = denied;
        this.notes = notes;
    }

    public Map<TlsProfile.FailureKind, String> getFailures() {
        return failures;
    }

    public boolean isDenied() {
        return denied;
    }

    public boolean isTrusted() {
        return failures.isEmpty();
    }

    /** {@code trusted}, {@code trusted (ocsp soft-fail: ...)}, {@code allowed-with-warning [expired: ...]}, {@code denied [...]}. */
    public String describe() {
        String word = failures.isEmpty() ? "trusted" : denied ? "denied" : "allowed-with-warning";
        String detail = failures.entrySet().stream()
            .map(entry -> entry.getKey().xmlName() + ": " + entry.getValue())
            .collect(Collectors.joining("; "));
        return word + (detail.isEmpty() ? "" : " [" + detail + "]") + (notes.isEmpty() ? "" : " (" + notes + ")");
    }

    @Override
    public String toString() {
        return describe();
    }
}
