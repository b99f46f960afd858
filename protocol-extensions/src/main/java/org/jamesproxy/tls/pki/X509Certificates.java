package org.jamesproxy.tls.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The only class that talks to Bouncy Castle: builds and signs X.509 v3 certificates. Package-private; use
 * {@link CertificateAuthority} or {@link SelfSignedCertificates}.
 *
 * <p>Serial numbers are random, positive and at most 159 bits (RFC 5280 allows 20 octets; CA/B Forum wants at least 64
 * bits of entropy). Signing uses the JDK's providers, never a registered BC provider.</p>
 */
final class X509Certificates {
    private X509Certificates() {
    }

    static BigInteger randomSerial(SecureRandom random) {
        BigInteger serial;
        do {
            serial = new BigInteger(159, random);
        } while (serial.signum() == 0);
        return serial;
    }

    /** A self-signed CA certificate: basicConstraints CA (critical), keyCertSign + cRLSign (critical), SKI. */
    static X509Certificate caCertificate(X500Principal subject, KeyPair keyPair, KeyAlgorithm algorithm, Validity validity,
                                         SecureRandom random) {
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, randomSerial(random),
                Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, keyPair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            return sign(builder, keyPair.getPrivate(), algorithm);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("Cannot build CA certificate for " + subject, e);
        }
    }

    /**
     * A TLS server certificate: basicConstraints not-CA (critical), keyUsage digitalSignature (+ keyEncipherment for RSA)
     * (critical), extendedKeyUsage serverAuth, SubjectAltName with every DNS name and IP address, SKI, and an AKI when an
     * issuer certificate is given.
     *
     * @param issuer the issuing CA's certificate, or {@code null} for a self-signed leaf
     */
    static X509Certificate serverCertificate(ServerCertificateRequest request, PublicKey subjectKey,
                                             X509Certificate issuer, PrivateKey signingKey, KeyAlgorithm signingAlgorithm,
                                             SecureRandom random) {
        X500Principal subject = new X500Principal("CN=" + escapeRdnValue(request.commonName()));
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            int keyUsage = KeyUsage.digitalSignature;
            if (request.keyAlgorithm().needsKeyEncipherment()) {
                keyUsage |= KeyUsage.keyEncipherment;
            }
            X500Principal issuerName = issuer == null ? subject : issuer.getSubjectX500Principal();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, randomSerial(random),
                Date.from(request.validity().notBefore()), Date.from(request.validity().notAfter()), subject, subjectKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, subjectAltNames(request))
                .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(subjectKey));
            if (request.ocspResponder().isPresent()) {
                builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                    AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, request.ocspResponder().get())));
            }
            if (issuer != null) {
                builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(issuer));
            }
            return sign(builder, signingKey, signingAlgorithm);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new PkiException("Cannot build server certificate for " + request, e);
        }
    }

    private static GeneralNames subjectAltNames(ServerCertificateRequest request) {
        List<GeneralName> names = new ArrayList<>();
        request.dnsNames().forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
        request.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
        return new GeneralNames(names.toArray(new GeneralName[0]));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, KeyAlgorithm algorithm)
        throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** RFC 4514 escaping of an attribute value, so that names like {@code a,b} stay one RDN. */
    private static String escapeRdnValue(String value) {
        StringBuilder escaped = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (",+\"\\<>;=".indexOf(c) >= 0 || (i == 0 && (c == ' ' || c == '#')) || (i == value.length() - 1 && c == ' ')) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
