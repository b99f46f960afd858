package org.jamesproxy.tls.authority;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.jamesproxy.config.ProxyAuthorityConfig;
import org.jamesproxy.tls.TlsHandshakeLog;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.PemReader;
import org.jamesproxy.tls.pki.PkiException;
import org.jamesproxy.tls.reload.ReloadableMaterial;

/**
 * The Proxy Authority as configured by {@code <proxyAuthority>}: its CA read from a key store or PEM files through
 * James's FileSystem, minting through a {@link ProxyAuthority}, and reloaded when the files change (checked on
 * use, at most once per check interval) or when the admin asks; a new CA clears the minted-leaf cache.
 */
public final class ProxyAuthorityFiles implements HostCertificates {
    public static ProxyAuthorityFiles load(FileSystem fileSystem, ProxyAuthorityConfig config, Duration reloadCheckInterval) throws ConfigurationException {
        try {
            ReloadableMaterial<CertificateAuthority> material = ReloadableMaterial.load(config.getPath() + " (Proxy Authority)",
                files(fileSystem, config), () -> read(fileSystem, config),
                ca -> TlsHandshakeLog.describe(ca.certificate()), reloadCheckInterval);
            ProxyAuthority authority = ProxyAuthority.create(material.peek(), config.getLeafValidity(), config.getCacheSize(),
                Clock.systemUTC());
            material.onReload(authority::replaceAuthority);
            return new ProxyAuthorityFiles(material, authority);
        } catch (Exception e) {
            throw new ConfigurationException(config.getPath() + ": cannot load the Proxy Authority: " + e.getMessage(), e);
        }
    }

    /** Reads the CA once (tools, the demo). */
    public static CertificateAuthority read(FileSystem fileSystem, ProxyAuthorityConfig config) throws Exception {
        if (config.getKeystore().isPresent()) {
            char[] secret = config.getSecret().orElse("").toCharArray();
            KeyStore keyStore = KeyStore.getInstance(config.getKeystoreType().name());
            try (InputStream in = fileSystem.getResource(config.getKeystore().get())) {
                keyStore.load(in, secret);
            }
            String alias = config.getAlias().orElseGet(() -> onlyKeyEntry(keyStore, config));
            if (!keyStore.isKeyEntry(alias)) {
                throw new PkiException("no key entry '" + alias + "' in " + config.getKeystore().get());
            }
            return CertificateAuthority.of((PrivateKey) keyStore.getKey(alias, secret), (X509Certificate) keyStore.getCertificate(alias));
        }
        byte[] key;
        byte[] certificate;
        try (InputStream in = fileSystem.getResource(config.getPrivateKey().orElseThrow())) {
            key = in.readNBytes(1024 * 1024);
        }
        try (InputStream in = fileSystem.getResource(config.getCertificate().orElseThrow())) {
            certificate = in.readNBytes(1024 * 1024);
        }
        return CertificateAuthority.of(PemReader.privateKey(key), PemReader.certificates(certificate).get(0));
    }

    private static String onlyKeyEntry(KeyStore keyStore, ProxyAuthorityConfig config) {
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(keyStore.aliases())) {
                if (keyStore.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.size() != 1) {
                throw new PkiException(config.getKeystore().orElse("") + " holds " + keys.size() + " key entries " + keys
                    + ": name one with <alias>");
            }
            return keys.get(0);
        } catch (java.security.KeyStoreException e) {
            throw new PkiException("unreadable key store: " + e.getMessage(), e);
        }
    }

    private static List<Path> files(FileSystem fileSystem, ProxyAuthorityConfig config) {
        List<Path> files = new ArrayList<>();
        for (Optional<String> location : List.of(config.getKeystore(), config.getPrivateKey(), config.getCertificate())) {
            location.ifPresent(url -> {
                try {
                    files.add(fileSystem.getFile(url).toPath());
                } catch (Exception e) {
                    // classpath: resources do not change
                }
            });
        }
        return files;
    }

    private final ReloadableMaterial<CertificateAuthority> material;
    private final ProxyAuthority authority;

    private ProxyAuthorityFiles(ReloadableMaterial<CertificateAuthority> material, ProxyAuthority authority) {
        this.material = material;
        this.authority = authority;
    }

    @Override
    public KeyStore.PrivateKeyEntry forHost(String hostName, Optional<X509Certificate> upstreamLeaf) {
        material.current();
        return authority.forHost(hostName, upstreamLeaf);
    }

    public ProxyAuthority authority() {
        return authority;
    }

    /** The files and the reload trigger (register it with a CertificateReloader). */
    public ReloadableMaterial<CertificateAuthority> material() {
        return material;
    }
}
