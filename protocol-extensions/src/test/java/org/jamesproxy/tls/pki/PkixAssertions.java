package org.jamesproxy.tls.pki;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.net.ssl.X509TrustManager;

/** The JDK's own PKIX checks, used as the oracle in these tests. */
final class PkixAssertions {
    private PkixAssertions() {
    }

    /** Validates the chain (minus its trust anchor) with CertPathValidator "PKIX", revocation off, at {@code date}. */
    static void validate(IssuedCertificate issued, X509Certificate anchor, Date date) throws GeneralSecurityException {
        List<X509Certificate> path = issued.chain().stream()
            .filter(certificate -> !certificate.equals(anchor))
            .collect(Collectors.toList());
        CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(date);
        CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    }

    static void validate(IssuedCertificate issued, X509Certificate anchor) throws GeneralSecurityException {
        validate(issued, anchor, new Date());
    }

    /** TrustManagerFactory(PKIX) over a trust store holding {@code anchors}, then checkServerTrusted. */
    static void checkServerTrusted(IssuedCertificate issued, X509Certificate... anchors) throws GeneralSecurityException {
        X509TrustManager trustManager = (X509TrustManager) TrustStores.trustManagerFactory(TrustStores.of(anchors))
            .getTrustManagers()[0];
        String authType = issued.certificate().getPublicKey().getAlgorithm().equals("RSA") ? "RSA" : "ECDHE_ECDSA";
        trustManager.checkServerTrusted(issued.chainArray(), authType);
    }
}
