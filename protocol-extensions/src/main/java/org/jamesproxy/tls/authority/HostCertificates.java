package org.jamesproxy.tls.authority;

import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** Key material the proxy presents to a client that asked for {@code hostName}: a leaf certificate minted by the Proxy Authority. */
public interface HostCertificates {
    /**
     * @param hostName the name the client asked for (SNI or the configured upstream name), lower case
     * @param upstreamLeaf the real upstream's certificate, whose subject and SubjectAltNames the minted leaf copies, when known
     * @return the private key and chain (minted leaf first, then the Proxy Authority certificate)
     */
    KeyStore.PrivateKeyEntry forHost(String hostName, Optional<X509Certificate> upstreamLeaf);
}
