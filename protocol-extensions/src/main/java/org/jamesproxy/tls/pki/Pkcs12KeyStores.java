package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * PKCS#12 key stores holding one private key entry (key + chain). This is what James's {@code <tls>} block reads with
 * {@code <keystoreType>PKCS12</keystoreType>}; James uses the same {@code <secret>} as store and key password, so this
 * writer does too.
 */
public final class Pkcs12KeyStores {
    private Pkcs12KeyStores() {
    }

    /** An in-memory PKCS#12 key store with one key entry. */
    public static KeyStore keyStore(IssuedCertificate certificate, String alias, char[] password) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry(alias, certificate.privateKey(), password, certificate.chainArray());
            return keyStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new PkiException("Cannot build PKCS12 key store", e);
        }
    }

    /** Writes (replacing) a PKCS#12 file with one key entry; parent directories are created. Returns {@code file}. */
    public static Path write(IssuedCertificate certificate, Path file, String alias, char[] password) {
        return KeyStoreFiles.store(keyStore(certificate, alias, password), file, password);
    }

    /** Package helper shared with {@link TrustStores}. */
    static final class KeyStoreFiles {
        private KeyStoreFiles() {
        }

        static Path store(KeyStore keyStore, Path file, char[] password) {
            try {
                PemFiles.createParentDirectories(file);
                try (OutputStream out = Files.newOutputStream(file)) {
                    keyStore.store(out, password);
                }
                return file;
            } catch (GeneralSecurityException | IOException e) {
                throw new PkiException("Cannot write key store " + file, e);
            }
        }
    }
}
