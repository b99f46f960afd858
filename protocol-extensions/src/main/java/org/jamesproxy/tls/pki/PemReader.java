package org.jamesproxy.tls.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import com.google.common.collect.ImmutableList;

/**
 * Reads what {@link PemFiles} writes, and what openssl writes: certificates, and unencrypted private keys as PKCS#8
 * ({@code PRIVATE KEY}) or in the traditional forms ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}).
 */
public final class PemReader {
    private PemReader() {
    }

    /** Every certificate of the stream, in order (leaf first for a chain). */
    public static List<X509Certificate> certificates(byte[] pem) {
        try (InputStream in = new ByteArrayInputStream(pem)) {
            ImmutableList<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                .map(X509Certificate.class::cast)
                .collect(ImmutableList.toImmutableList());
            if (certificates.isEmpty()) {
                throw new PkiException("no certificate in the PEM data");
            }
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new PkiException("cannot read certificates: " + e.getMessage(), e);
        }
    }

    /** The first private key of the PEM data. Encrypted keys are refused with a clear message. */
    public static PrivateKey privateKey(byte[] pem) {
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) object);
                }
                if (object instanceof PEMKeyPair) {
                    return converter.getKeyPair((PEMKeyPair) object).getPrivate();
                }
                if (object.getClass().getSimpleName().toLowerCase().contains("encrypted")) {
                    throw new PkiException("the private key is encrypted; provide an unencrypted PKCS#8 key or a keystore");
                }
            }
            throw new PkiException("no private key in the PEM data");
        } catch (IOException e) {
            throw new PkiException("cannot read the private key: " + e.getMessage(), e);
        }
    }
}
