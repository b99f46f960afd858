package org.jamesproxy.tls;

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

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;

/**
 * The Proxy Server certificate and the client leg's TLS profile: makes the server-side SslHandler for implicit
 * TLS and for STARTTLS. The key material is read by James's own code from the policy's {@code <tls>} block, so
 * keystore and PEM work exactly as in James's listeners.
 */
public final class ServerTlsContext {
    public static ServerTlsContext load(FileSystem fileSystem, HierarchicalConfiguration<ImmutableNode> policyElement,
                                        String policyPath, TlsProfile profile) throws ConfigurationException {
        // SslConfig only reads the key material when a TLS mode is set; we decide the mode per listener ourselves.
        policyElement.setProperty("tls[@socketTLS]", true);
        policyElement.setProperty("tls[@startTLS]", false);
        try {
            SslConfig sslConfig = SslConfig.parse(policyElement);
            Encryption encryption = new LegacyJavaEncryptionFactory(fileSystem, sslConfig).create();
            return new ServerTlsContext(((Encryption.LegacyJavaEncryption) encryption).getContext(), profile);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(policyPath + ".tls: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new ConfigurationException(policyPath + ".tls: cannot load the Proxy Server certificate: " + e, e);
        }
    }

    private final SSLContext context;
    private final TlsProfile profile;

    public ServerTlsContext(SSLContext context, TlsProfile profile) {
        this.context = context;
        this.profile = profile;
    }

    public SslHandler newHandler(ByteBufAllocator allocator) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        TlsEngines.applyProfile(engine, profile);
        return new SslHandler(engine);
    }

    public TlsProfile getProfile() {
        return profile;
    }
}
