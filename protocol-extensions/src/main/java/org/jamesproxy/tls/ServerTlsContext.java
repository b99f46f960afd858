package org.jamesproxy.tls;

import java.io.File;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.util.Collections;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.protocols.lib.LegacyJavaEncryptionFactory;
import org.apache.james.protocols.lib.SslConfig;
import org.apache.james.protocols.netty.Encryption;
import org.jamesproxy.config.TlsProfile;
import org.jamesproxy.tls.pki.PemReader;
import org.jamesproxy.tls.reload.ReloadableMaterial;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The Proxy Server certificate and the client leg's TLS profile: makes the server-side SslHandler for implicit
 * TLS and for STARTTLS. The key material is read by James's own code from the policy's {@code <tls>} block, so
 * keystore and PEM work exactly as in James's listeners. When loaded from files, a changed file is picked up by
 * the next connection (checked at most once per check interval; see {@link ReloadableMaterial}).
 */
public final class ServerTlsContext {
    public static final Duration DEFAULT_RELOAD_CHECK_INTERVAL = Duration.ofSeconds(10);

    public static ServerTlsContext load(FileSystem fileSystem, HierarchicalConfiguration<ImmutableNode> policyElement,
                                        String policyPath, TlsProfile profile) throws ConfigurationException {
        return load(fileSystem, policyElement, policyPath, profile, DEFAULT_RELOAD_CHECK_INTERVAL);
    }

    public static ServerTlsContext load(FileSystem fileSystem, HierarchicalConfiguration<ImmutableNode> policyElement,
                                        String policyPath, TlsProfile profile, Duration reloadCheckInterval) throws ConfigurationException {
        // SslConfig only reads the key material when a TLS mode is set; we decide the mode per listener ourselves.
        policyElement.setProperty("tls[@socketTLS]", true);
        policyElement.setProperty("tls[@startTLS]", false);
        SslConfig sslConfig;
        try {
            sslConfig = SslConfig.parse(policyElement);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(policyPath + ".tls: " + e.getMessage(), e);
        }
        try {
            ReloadableMaterial<Loaded> material = ReloadableMaterial.load(policyPath + ".tls (Proxy Server certificate)",
                files(fileSystem, sslConfig), () -> new Loaded(sslContext(fileSystem, sslConfig), describe(fileSystem, sslConfig)),
                loaded -> loaded.description, reloadCheckInterval);
            return new ServerTlsContext(() -> material.current().context, profile, Optional.of(material));
        } catch (Exception e) {
            throw new ConfigurationException(policyPath + ".tls: cannot load the Proxy Server certificate: " + e, e);
        }
    }

    private static SSLContext sslContext(FileSystem fileSystem, SslConfig sslConfig) throws Exception {
        Encryption encryption = new LegacyJavaEncryptionFactory(fileSystem, sslConfig).create();
        return ((Encryption.LegacyJavaEncryption) encryption).getContext();
    }

    private static List<Path> files(FileSystem fileSystem, SslConfig sslConfig) {
        List<Path> files = new ArrayList<>();
        for (String location : new String[]{sslConfig.getKeystore(), sslConfig.getPrivateKey(), sslConfig.getCertificates()}) {
            if (location == null) {
                continue;
            }
            try {
                File file = fileSystem.getFile(location);
                files.add(file.toPath());
            } catch (Exception e) {
                // A classpath: resource cannot change: nothing to watch.
            }
        }
        return files;
    }

    /** A loaded SSLContext and a description of its certificate (an SSLContext does not tell which it serves). */
    public static final class Loaded {
        final SSLContext context;
        final String description;

        Loaded(SSLContext context, String description) {
            this.context = context;
            this.description = description;
        }
    }

    /** "CN=proxy.example.com (issuer CN=..., until ...)" of the leaf in the files, for logs and JMX. */
    private static String describe(FileSystem fileSystem, SslConfig sslConfig) {
        try {
            X509Certificate leaf;
            if (sslConfig.getKeystore() != null) {
                KeyStore keyStore = KeyStore.getInstance(sslConfig.getKeystoreType() == null ? "JKS" : sslConfig.getKeystoreType());
                try (InputStream in = fileSystem.getResource(sslConfig.getKeystore())) {
                    keyStore.load(in, sslConfig.getSecret() == null ? null : sslConfig.getSecret().toCharArray());
                }
                leaf = Collections.list(keyStore.aliases()).stream()
                    .filter(alias -> isKeyEntry(keyStore, alias))
                    .map(alias -> certificate(keyStore, alias))
                    .findFirst()
                    .orElseThrow();
            } else {
                try (InputStream in = fileSystem.getResource(sslConfig.getCertificates())) {
                    leaf = PemReader.certificates(in.readAllBytes()).get(0);
                }
            }
            return TlsHandshakeLog.describe(leaf);
        } catch (Exception e) {
            return "Proxy Server certificate (" + e.getMessage() + ")";
        }
    }

    private static boolean isKeyEntry(KeyStore keyStore, String alias) {
        try {
            return keyStore.isKeyEntry(alias);
        } catch (KeyStoreException e) {
            return false;
        }
    }

    private static X509Certificate certificate(KeyStore keyStore, String alias) {
        try {
            return (X509Certificate) keyStore.getCertificate(alias);
        } catch (KeyStoreException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Supplier<SSLContext> context;
    private final TlsProfile profile;
    private final Optional<ReloadableMaterial<Loaded>> material;

    /** A fixed context (tests, tools): never reloaded. */
    public ServerTlsContext(SSLContext context, TlsProfile profile) {
        this(() -> context, profile, Optional.empty());
    }

    private ServerTlsContext(Supplier<SSLContext> context, TlsProfile profile, Optional<ReloadableMaterial<Loaded>> material) {
        this.context = context;
        this.profile = profile;
        this.material = material;
    }

    public SslHandler newHandler(ByteBufAllocator allocator) {
        SSLEngine engine = context.get().createSSLEngine();
        engine.setUseClientMode(false);
        TlsEngines.applyProfile(engine, profile);
        return new SslHandler(engine);
    }

    public TlsProfile getProfile() {
        return profile;
    }

    /** The files and reload trigger, when the certificate came from files (register it with a CertificateReloader). */
    public Optional<ReloadableMaterial<Loaded>> material() {
        return material;
    }
}
