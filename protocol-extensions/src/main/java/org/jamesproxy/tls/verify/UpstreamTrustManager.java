package org.jamesproxy.tls.verify;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.config.TlsProfile.FailureAction;
import org.jamesproxy.config.TlsProfile.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * The upstream leg's certificate check, per TLS profile. It tells the failure kinds apart so that each can have its
 * own action: {@code untrusted} (unknown issuer, bad signature, self-signed, constraints), {@code expired} (or not yet
 * valid), {@code host-mismatch} (the expected name is not in the certificate), {@code revoked} (an OCSP
 * {@code revoked} answer; with {@code hard-fail}, also an unknown status: no responder, unreachable, bad answer).
 *
 * <p>The chain is validated with the JDK's PKIX validator (algorithm constraints of java.security apply), and OCSP
 * with the JDK's {@link PKIXRevocationChecker}: end-entity only, no CRL fallback, the responder from the
 * certificate's AIA unless the profile names one; soft-fail lets an unknown status pass. When the chain is expired,
 * it is validated again at a date inside its validity, so an expired certificate of an unknown CA is reported as
 * both. The expected host is the engine's peer host (the name the upstream context was created for).</p>
 *
 * <p>A denied certificate fails the handshake with a {@link CertificateException} naming every failure; an allowed
 * one is logged at WARN. The verdict is left in the handshake session under {@link CertificateVerdict#SESSION_KEY}
 * for the handshake log.</p>
 */
public final class UpstreamTrustManager extends X509ExtendedTrustManager {
    private static final Logger LOGGER = LoggerFactory.getLogger(UpstreamTrustManager.class);

    /** The anchors of a trust store, or of the JDK's default trust store (cacerts) when null. */
    public static Set<TrustAnchor> anchors(KeyStore trustStore) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore);
        X509TrustManager jdk = Arrays.stream(factory.getTrustManagers())
            .filter(X509TrustManager.class::isInstance)
            .map(X509TrustManager.class::cast)
            .findFirst()
            .orElseThrow(() -> new GeneralSecurityException("no X509TrustManager"));
        Set<TrustAnchor> anchors = Arrays.stream(jdk.getAcceptedIssuers())
            .map(certificate -> new TrustAnchor(certificate, null))
            .collect(ImmutableSet.toImmutableSet());
        if (anchors.isEmpty()) {
            throw new GeneralSecurityException("the trust store holds no certificate");
        }
        return anchors;
    }

    private final Set<TrustAnchor> anchors;
    private final Set<X509Certificate> anchorCertificates;
    private final TlsProfile profile;
    private final Clock clock;

    public UpstreamTrustManager(Set<TrustAnchor> anchors, TlsProfile profile, Clock clock) {
        this.anchors = ImmutableSet.copyOf(anchors);
        this.anchorCertificates = anchors.stream().map(TrustAnchor::getTrustedCert).collect(ImmutableSet.toImmutableSet());
        this.profile = profile;
        this.clock = clock;
    }

    /** Checks a chain for a host without a handshake (tools, tests); a null host is a host mismatch. */
    public CertificateVerdict verify(X509Certificate[] chain, String host) {
        Map<FailureKind, String> failures = new EnumMap<>(FailureKind.class);
        List<String> notes = new ArrayList<>();
        List<X509Certificate> path = pathWithoutAnchors(chain);
        Date now = Date.from(clock.instant());
        String pathFailure = validate(path, now, profile.getOcsp() != TlsProfile.OcspMode.OFF, failures, notes);
        if (pathFailure != null && failures.containsKey(FailureKind.EXPIRED)) {
            // Expired: is it otherwise trusted? Validate at a date the whole chain was valid (revocation cannot be
            // asked about the past).
            validityOverlap(path).ifPresent(date -> validate(path, date, false, failures, notes));
        }
        if (host == null) {
            failures.put(FailureKind.HOST_MISMATCH, "no expected host name to check the certificate against");
        } else if (!HostNames.matches(chain[0], host)) {
            failures.put(FailureKind.HOST_MISMATCH, "'" + host + "' is not among the names of " + chain[0].getSubjectX500Principal().getName());
        }
        boolean denied = failures.keySet().stream().anyMatch(kind -> profile.actionOn(kind) == FailureAction.DENY);
        return new CertificateVerdict(failures, denied, String.join("; ", notes));
    }

    /** @return null when valid, else a description (the failure is also put into {@code failures}) */
    private String validate(List<X509Certificate> path, Date date, boolean revocation, Map<FailureKind, String> failures,
                            List<String> notes) {
        try {
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setDate(date);
            parameters.setRevocationEnabled(revocation);
            PKIXRevocationChecker checker = null;
            if (revocation) {
                checker = (PKIXRevocationChecker) validator.getRevocationChecker();
                Set<PKIXRevocationChecker.Option> options = EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY,
                    PKIXRevocationChecker.Option.NO_FALLBACK);
                if (profile.getOcsp() == TlsProfile.OcspMode.SOFT_FAIL) {
                    options.add(PKIXRevocationChecker.Option.SOFT_FAIL);
                }
                checker.setOptions(options);
                profile.getOcspResponder().ifPresent(checker::setOcspResponder);
                parameters.addCertPathChecker(checker);
            }
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            validator.validate(certPath, parameters);
            if (checker != null && !checker.getSoftFailExceptions().isEmpty()) {
                notes.add("ocsp soft-fail: " + checker.getSoftFailExceptions().stream()
                    .map(Throwable::getMessage).collect(Collectors.joining(", ")));
            } else if (checker != null) {
                notes.add("ocsp good");
            }
            return null;
        } catch (CertPathValidatorException e) {
            String detail = e.getMessage();
            if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                failures.put(FailureKind.EXPIRED, detail);
            } else if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                failures.put(FailureKind.REVOKED, detail);
            } else if (e.getReason() == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
                failures.put(FailureKind.REVOKED, "revocation status unknown (ocsp hard-fail): " + detail);
            } else {
                // NO_TRUST_ANCHOR, INVALID_SIGNATURE, constraints, algorithm constraints...
                failures.put(FailureKind.UNTRUSTED, detail);
            }
            return detail;
        } catch (GeneralSecurityException e) {
            failures.put(FailureKind.UNTRUSTED, e.getMessage());
            return e.getMessage();
        }
    }

    /** The chain as sent, cut before the first certificate that is itself a trust anchor (PKIX paths exclude it). */
    private List<X509Certificate> pathWithoutAnchors(X509Certificate[] chain) {
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate certificate : chain) {
            if (!path.isEmpty() && anchorCertificates.contains(certificate)) {
                break;
            }
            path.add(certificate);
        }
        return path;
    }

    private static java.util.Optional<Date> validityOverlap(List<X509Certificate> path) {
        Instant latestStart = path.stream().map(c -> c.getNotBefore().toInstant()).max(Instant::compareTo).orElseThrow();
        Instant earliestEnd = path.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
        return latestStart.isBefore(earliestEnd) ? java.util.Optional.of(Date.from(latestStart.plusSeconds(1))) : java.util.Optional.empty();
    }

    private void check(X509Certificate[] chain, String host, SSLSession handshakeSession) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the mail server sent no certificate");
        }
        CertificateVerdict verdict = verify(chain, host);
        if (handshakeSession != null) {
            handshakeSession.putValue(CertificateVerdict.SESSION_KEY, verdict);
        }
        if (verdict.isDenied()) {
            throw new CertificateException("upstream certificate " + verdict.describe() + " by TLS profile " + profile.getName());
        }
        if (!verdict.isTrusted()) {
            LOGGER.warn("Upstream certificate of {} ({}) accepted by TLS profile {} despite: {}", host,
                chain[0].getSubjectX500Principal().getName(), profile.getName(), verdict.describe());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, engine == null ? null : engine.getPeerHost(), engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        SSLSocket ssl = socket instanceof SSLSocket ? (SSLSocket) socket : null;
        check(chain, ssl == null ? null : ssl.getHandshakeSession().getPeerHost(), ssl == null ? null : ssl.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, null, null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the upstream leg does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the upstream leg does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the upstream leg does not accept client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchorCertificates.toArray(new X509Certificate[0]);
    }
}
