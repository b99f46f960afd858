package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.security.auth.x500.X500Principal;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * A private certificate authority that issues TLS server certificates.
 *
 * <pre>{@code
 * CertificateAuthority ca = CertificateAuthority.create("CN=james-mail-proxy demo CA");          // EC P-256, 10 years
 * IssuedCertificate server = ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
 * Pkcs12KeyStores.write(server, Path.of("conf/keystore"), "james", "secret".toCharArray());
 * PemFiles.writeCertificate(ca.certificate(), Path.of("conf/ca.pem"));
 * }</pre>
 *
 * <p>The CA certificate is self-signed, with basicConstraints {@code CA:true, pathlen:0} (it can only sign leaves), and
 * keyUsage keyCertSign + cRLSign. Issued leaves carry the chain {@code [leaf, CA]}. A CA can be saved with
 * {@code Pkcs12KeyStores.write(ca.asIssuedCertificate(), ...)} and loaded back with {@link #load(Path, String, char[])}, so a
 * demo keeps the same trust anchor across restarts.</p>
 *
 * <p>Thread-safe: the state is immutable and {@link SecureRandom} is thread-safe.</p>
 */
public final class CertificateAuthority {
    /** Default lifetime of a CA certificate: 10 years. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(3650);

    /** An EC P-256 CA valid for {@link #DEFAULT_VALIDITY}. */
    public static CertificateAuthority create(String subjectDn) {
        return create(subjectDn, KeyAlgorithm.EC_P256);
    }

    public static CertificateAuthority create(String subjectDn, KeyAlgorithm keyAlgorithm) {
        return create(subjectDn, keyAlgorithm, Validity.startingNow(DEFAULT_VALIDITY));
    }

    /**
     * @param subjectDn an RFC 4514 distinguished name, e.g. {@code CN=Test CA,O=Example}
     */
    public static CertificateAuthority create(String subjectDn, KeyAlgorithm keyAlgorithm, Validity validity) {
        SecureRandom random = new SecureRandom();
        X500Principal subject = new X500Principal(subjectDn);
        KeyPair keyPair = keyAlgorithm.generateKeyPair(random);
        X509Certificate certificate = X509Certificates.caCertificate(subject, keyPair, keyAlgorithm, validity, random);
        return new CertificateAuthority(new IssuedCertificate(keyPair, List.of(certificate)), random);
    }

    /**
     * Loads a CA saved as a PKCS#12 (or JKS: the type is probed) key entry, e.g. by {@link Pkcs12KeyStores#write}.
     */
    public static CertificateAuthority load(Path keyStoreFile, String alias, char[] password) {
        try {
            KeyStore keyStore = KeyStore.getInstance(keyStoreFile.toFile(), password);
            PrivateKey key = (PrivateKey) keyStore.getKey(alias, password);
            X509Certificate certificate = (X509Certificate) keyStore.getCertificate(alias);
            if (key == null || certificate == null) {
                throw new PkiException("No key entry '" + alias + "' in " + keyStoreFile);
            }
            if (certificate.getBasicConstraints() < 0) {
                throw new PkiException("Entry '" + alias + "' in " + keyStoreFile + " is not a CA certificate");
            }
            return new CertificateAuthority(new IssuedCertificate(new KeyPair(certificate.getPublicKey(), key),
                List.of(certificate)), new SecureRandom());
        } catch (IOException | GeneralSecurityException e) {
            throw new PkiException("Cannot load CA '" + alias + "' from " + keyStoreFile, e);
        }
    }

    /**
     * A CA from key material read elsewhere (a keystore entry, PEM files): the certificate must be a CA certificate
     * (basicConstraints CA) and certify the key.
     */
    public static CertificateAuthority of(PrivateKey key, X509Certificate certificate) {
        if (certificate.getBasicConstraints() < 0) {
            throw new PkiException(certificate.getSubjectX500Principal().getName() + " is not a CA certificate (basicConstraints CA is missing)");
        }
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            throw new PkiException("the private key (" + key.getAlgorithm() + ") does not match the CA certificate ("
                + certificate.getPublicKey().getAlgorithm() + ")");
        }
        checkKeyMatches(key, certificate);
        return new CertificateAuthority(new IssuedCertificate(new KeyPair(certificate.getPublicKey(), key),
            List.of(certificate)), new SecureRandom());
    }

    /** A key of the right type but another pair would mint leaves nobody can verify: sign and verify once. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate certificate) {
        try {
            String algorithm = KeyAlgorithm.of(certificate.getPublicKey()).signatureAlgorithm();
            byte[] probe = "james-mail-proxy key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.security.Signature signer = java.security.Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new PkiException("the private key does not belong to the CA certificate "
                    + certificate.getSubjectX500Principal().getName());
            }
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot check the CA key against its certificate: " + e.getMessage(), e);
        }
    }

    private final IssuedCertificate self;
    private final SecureRandom random;

    private CertificateAuthority(IssuedCertificate self, SecureRandom random) {
        this.self = self;
        this.random = random;
    }

    /** The CA certificate: the trust anchor clients need. */
    public X509Certificate certificate() {
        return self.certificate();
    }

    /** The CA's own key pair and one-element chain, e.g. to save it with {@link Pkcs12KeyStores}. */
    public IssuedCertificate asIssuedCertificate() {
        return self;
    }

    /** Issues a server certificate for the request's names; its chain is {@code [leaf, CA]}. */
    public IssuedCertificate issue(ServerCertificateRequest request) {
        Objects.requireNonNull(request);
        KeyPair keyPair = request.keyAlgorithm().generateKeyPair(random);
        X509Certificate leaf = X509Certificates.serverCertificate(request, keyPair.getPublic(), self.certificate(),
            self.privateKey(), KeyAlgorithm.of(self.certificate().getPublicKey()), random);
        return new IssuedCertificate(keyPair, ImmutableList.of(leaf, self.certificate()));
    }

    /**
     * Issues a server certificate for an existing key pair (e.g. one key pair shared by many short-lived leaves):
     * the request's key algorithm must be the key pair's.
     */
    public IssuedCertificate issue(ServerCertificateRequest request, KeyPair keyPair) {
        Objects.requireNonNull(request);
        if (!request.keyAlgorithm().jcaName().equals(keyPair.getPublic().getAlgorithm())) {
            throw new PkiException("the request is for " + request.keyAlgorithm() + " but the key pair is " + keyPair.getPublic().getAlgorithm());
        }
        X509Certificate leaf = X509Certificates.serverCertificate(request, keyPair.getPublic(), self.certificate(),
            self.privateKey(), KeyAlgorithm.of(self.certificate().getPublicKey()), random);
        return new IssuedCertificate(keyPair, ImmutableList.of(leaf, self.certificate()));
    }

    /** Shorthand: an EC P-256 server certificate valid for {@link ServerCertificateRequest#DEFAULT_VALIDITY}. */
    public IssuedCertificate issueServerCertificate(List<String> dnsNames, List<String> ipAddresses) {
        ServerCertificateRequest.Builder builder = ServerCertificateRequest.builder().dnsNames(dnsNames);
        ipAddresses.forEach(builder::ipAddress);
        return issue(builder.build());
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("subject", certificate().getSubjectX500Principal().getName())
            .add("notAfter", certificate().getNotAfter().toInstant())
            .toString();
    }
}
