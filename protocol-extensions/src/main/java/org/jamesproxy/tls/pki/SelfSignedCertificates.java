package org.jamesproxy.tls.pki;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Self-signed <em>leaf</em> server certificates: same content as a CA-issued one (SAN, serverAuth, not a CA) but issuer =
 * subject and signed with its own key. No CA trust store accepts them; tests use them to prove that an untrusted upstream
 * or proxy certificate is rejected.
 */
public final class SelfSignedCertificates {
    private SelfSignedCertificates() {
    }

    /** The chain is {@code [leaf]}. */
    public static IssuedCertificate issue(ServerCertificateRequest request) {
        SecureRandom random = new SecureRandom();
        KeyPair keyPair = request.keyAlgorithm().generateKeyPair(random);
        X509Certificate certificate = X509Certificates.serverCertificate(request, keyPair.getPublic(), null,
            keyPair.getPrivate(), request.keyAlgorithm(), random);
        return new IssuedCertificate(keyPair, List.of(certificate));
    }
}
