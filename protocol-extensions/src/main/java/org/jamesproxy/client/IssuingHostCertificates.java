package org.jamesproxy.client;

import java.io.File;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.jamesproxy.config.ClientActionConfig;
import org.jamesproxy.tls.authority.HostCertificates;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.ServerCertificateRequest;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/**
 * A plain {@link HostCertificates} over the existing {@link CertificateAuthority}: one leaf per host, its DNS names
 * copied from the upstream's certificate (or the requested name), kept in a bounded cache. It stands in until the
 * shared Proxy Authority (one reused key pair, short validity, RSA-CA care) is wired in its place.
 */
public final class IssuingHostCertificates implements HostCertificates {
    private static final Duration LEAF_VALIDITY = Duration.ofDays(30);
    private static final int SUBJECT_ALT_NAME_DNS = 2;

    public static IssuingHostCertificates load(FileSystem fileSystem, ClientActionConfig.ProxyAuthorityConfig config,
                                               String path) throws ConfigurationException {
        try {
            File keyStore = fileSystem.getFile(config.getKeyStore());
            return new IssuingHostCertificates(CertificateAuthority.load(keyStore.toPath(), config.getAlias(),
                config.getSecret().toCharArray()));
        } catch (Exception e) {
            throw new ConfigurationException(path + ".keyStore: cannot load the Proxy Authority from '"
                + config.getKeyStore() + "': " + e.getMessage(), e);
        }
    }

    private final CertificateAuthority authority;
    private final Cache<String, KeyStore.PrivateKeyEntry> leaves = CacheBuilder.newBuilder().maximumSize(1024).build();

    public IssuingHostCertificates(CertificateAuthority authority) {
        this.authority = authority;
    }

    @Override
    public KeyStore.PrivateKeyEntry forHost(String hostName, Optional<X509Certificate> upstreamLeaf) {
        try {
            return leaves.get(hostName, () -> issue(hostName, upstreamLeaf));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot mint a certificate for " + hostName + ": " + e.getCause(), e.getCause());
        }
    }

    private KeyStore.PrivateKeyEntry issue(String hostName, Optional<X509Certificate> upstreamLeaf) {
        ServerCertificateRequest.Builder request = ServerCertificateRequest.builder().commonName(hostName);
        if (InetAddresses.isInetAddress(hostName)) {
            request.ipAddress(hostName);
        } else {
            request.dnsName(hostName);
        }
        upstreamLeaf.map(IssuingHostCertificates::dnsNames).orElse(List.of()).stream()
            .map(name -> name.toLowerCase(Locale.US))
            .filter(name -> !name.equals(hostName))
            .filter(name -> InternetDomainName.isValid(name.startsWith("*.") ? name.substring(2) : name))
            .distinct()
            .forEach(request::dnsName);
        IssuedCertificate issued = authority.issue(request.validFor(LEAF_VALIDITY).build());
        return new KeyStore.PrivateKeyEntry(issued.privateKey(), issued.chainArray());
    }

    private static List<String> dnsNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream()
                .filter(name -> Integer.valueOf(SUBJECT_ALT_NAME_DNS).equals(name.get(0)))
                .map(name -> (String) name.get(1))
                .toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
