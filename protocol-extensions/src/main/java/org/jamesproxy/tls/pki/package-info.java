/**
 * A small private PKI for tests, the demo and image builders: a {@link org.jamesproxy.tls.pki.CertificateAuthority}
 * that issues TLS server certificates, and writers for the usual file formats.
 *
 * <ul>
 *     <li>{@link org.jamesproxy.tls.pki.CertificateAuthority}: creates (or loads) a CA and issues leaf server certificates.</li>
 *     <li>{@link org.jamesproxy.tls.pki.ServerCertificateRequest}: names, key algorithm and validity of a leaf.</li>
 *     <li>{@link org.jamesproxy.tls.pki.SelfSignedCertificates}: self-signed leaves, not issued by any CA (negative tests).</li>
 *     <li>{@link org.jamesproxy.tls.pki.IssuedCertificate}: a key pair and its chain, leaf first.</li>
 *     <li>{@link org.jamesproxy.tls.pki.Pkcs12KeyStores}, {@link org.jamesproxy.tls.pki.PemFiles},
 *         {@link org.jamesproxy.tls.pki.TrustStores}: writers.</li>
 * </ul>
 *
 * <p>Bouncy Castle (bcpkix/bcprov 1.70) is only used to <em>build</em> certificates; it is {@code provided} by James at run
 * time and never registered as a JCA provider: keys are generated and certificates signed with the JDK's providers, so the
 * results behave exactly as the JDK's TLS stack will see them.</p>
 */
package org.jamesproxy.tls.pki;
