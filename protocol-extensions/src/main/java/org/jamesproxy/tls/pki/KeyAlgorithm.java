package org.jamesproxy.tls.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/**
 * Key types the PKI generates. EC P-256 is the default everywhere: fast to generate and accepted by every TLS 1.2/1.3
 * client. RSA 2048 is there for clients (and James code paths) that still expect RSA.
 */
public enum KeyAlgorithm {
    EC_P256("EC", "SHA256withECDSA", false),
    RSA_2048("RSA", "SHA256withRSA", true);

    private final String jcaName;
    private final String signatureAlgorithm;
    private final boolean keyEncipherment;

    KeyAlgorithm(String jcaName, String signatureAlgorithm, boolean keyEncipherment) {
        this.jcaName = jcaName;
        this.signatureAlgorithm = signatureAlgorithm;
        this.keyEncipherment = keyEncipherment;
    }

    /** The JCA key algorithm name ({@code EC} or {@code RSA}). */
    public String jcaName() {
        return jcaName;
    }

    /** The signature algorithm a key of this type signs certificates with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** Whether a TLS server certificate with such a key needs the keyEncipherment key usage (RSA key transport). */
    public boolean needsKeyEncipherment() {
        return keyEncipherment;
    }

    public KeyPair generateKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
            if (this == EC_P256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            } else {
                generator.initialize(2048, random);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new PkiException("Cannot generate a " + this + " key pair", e);
        }
    }

    /** The algorithm of an existing key ({@code EC} or {@code RSA}), for signing with a loaded CA key. */
    static KeyAlgorithm of(PublicKey key) {
        switch (key.getAlgorithm()) {
            case "EC":
                return EC_P256;
            case "RSA":
                return RSA_2048;
            default:
                throw new PkiException("Unsupported key algorithm " + key.getAlgorithm());
        }
    }
}
