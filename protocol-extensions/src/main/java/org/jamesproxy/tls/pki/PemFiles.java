package org.jamesproxy.tls.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * PEM (RFC 7468) text for certificates and private keys, as James's {@code <tls><certificates>/<privateKey>}, openssl and
 * curl read them.
 *
 * <ul>
 *     <li>certificates: {@code -----BEGIN CERTIFICATE-----}, one block per certificate, leaf first for a chain;</li>
 *     <li>private keys: unencrypted PKCS#8 {@code -----BEGIN PRIVATE KEY-----} (the JDK encodes both RSA and EC keys as
 *     PKCS#8). Key files are created owner-read/write only where the file system supports POSIX permissions.</li>
 * </ul>
 */
public final class PemFiles {
    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private PemFiles() {
    }

    public static String certificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new PkiException("Cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    public static String certificates(List<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        certificates.forEach(certificate -> pem.append(certificate(certificate)));
        return pem.toString();
    }

    public static String privateKey(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new PkiException("Private key is encoded as " + key.getFormat() + ", not PKCS#8");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    /** One certificate, e.g. the CA certificate for {@code curl --cacert} / {@code openssl -CAfile}. */
    public static Path writeCertificate(X509Certificate certificate, Path file) {
        return write(file, certificate(certificate), false);
    }

    /** The whole chain of an issued certificate, leaf first. */
    public static Path writeCertificateChain(IssuedCertificate issued, Path file) {
        return write(file, certificates(issued.chain()), false);
    }

    /** The unencrypted PKCS#8 private key of an issued certificate. */
    public static Path writePrivateKey(IssuedCertificate issued, Path file) {
        return writePrivateKey(issued.privateKey(), file);
    }

    public static Path writePrivateKey(PrivateKey key, Path file) {
        return write(file, privateKey(key), true);
    }

    static void createParentDirectories(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String content, boolean secret) {
        try {
            createParentDirectories(file);
            Files.deleteIfExists(file);
            if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                && file.getFileSystem().equals(FileSystems.getDefault())) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(file, content, StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new PkiException("Cannot write " + file, e);
        }
    }
}
