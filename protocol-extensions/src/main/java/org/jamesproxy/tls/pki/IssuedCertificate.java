package org.jamesproxy.tls.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * A key pair and its certificate chain, <b>leaf first</b>: {@code [leaf, issuing CA]} for a CA-issued certificate,
 * {@code [leaf]} for a self-signed one or for a CA's own certificate. That is the order TLS servers send and
 * {@link java.security.KeyStore#setKeyEntry} expects.
 *
 * <p>Equality is identity: two issued certificates are equal only when they are the same object (key material has no
 * useful value equality).</p>
 */
public final class IssuedCertificate {
    private final KeyPair keyPair;
    private final ImmutableList<X509Certificate> chain;

    public IssuedCertificate(KeyPair keyPair, List<X509Certificate> chain) {
        Preconditions.checkArgument(!chain.isEmpty(), "a certificate chain cannot be empty");
        Preconditions.checkArgument(chain.get(0).getPublicKey().equals(keyPair.getPublic()),
            "the first certificate of the chain must certify the key pair's public key");
        this.keyPair = keyPair;
        this.chain = ImmutableList.copyOf(chain);
    }

    public KeyPair keyPair() {
        return keyPair;
    }

    public PrivateKey privateKey() {
        return keyPair.getPrivate();
    }

    /** The leaf certificate (first of the chain). */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Leaf first, then its issuers. */
    public ImmutableList<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate[] chainArray() {
        return chain.toArray(new X509Certificate[0]);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("subject", certificate().getSubjectX500Principal().getName())
            .add("issuer", certificate().getIssuerX500Principal().getName())
            .add("serial", certificate().getSerialNumber().toString(16))
            .add("notAfter", certificate().getNotAfter().toInstant())
            .add("chainLength", chain.size())
            .toString();
    }
}
