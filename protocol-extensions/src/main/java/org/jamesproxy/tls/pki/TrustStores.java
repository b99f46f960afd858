package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Trust stores: {@link KeyStore}s holding only trusted certificate entries (aliases {@code ca-0}, {@code ca-1}, ...).
 * PKCS#12 in memory and on disk; the JDK's PKCS#12 marks such entries trusted for any purpose, so {@code
 * TrustManagerFactory}, javax.mail's {@code mail.imaps.ssl.trustStore...} style settings and {@code keytool} all accept them.
 */
public final class TrustStores {
    private TrustStores() {
    }

    public static KeyStore of(X509Certificate... anchors) {
        return of(List.of(anchors));
    }

    public static KeyStore of(List<X509Certificate> anchors) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                keyStore.setCertificateEntry("ca-" + i, anchors.get(i));
            }
            return keyStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("Cannot build trust store", e);
        }
    }

    /** A trust store holding the CA's certificate. */
    public static KeyStore of(CertificateAuthority ca) {
        return of(ca.certificate());
    }

    /** Writes (replacing) a PKCS#12 trust store file. Returns {@code file}. */
    public static Path write(KeyStore trustStore, Path file, char[] password) {
        return Pkcs12KeyStores.KeyStoreFiles.store(trustStore, file, password);
    }

    /** A PKIX {@link TrustManagerFactory} initialised with the store. */
    public static TrustManagerFactory trustManagerFactory(KeyStore trustStore) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new PkiException("Cannot initialise trust managers", e);
        }
    }

    /** A client {@link SSLContext} ("TLS") that trusts exactly the store's certificates. */
    public static SSLContext clientContext(KeyStore trustStore) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagerFactory(trustStore).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new PkiException("Cannot build client SSLContext", e);
        }
    }
}
