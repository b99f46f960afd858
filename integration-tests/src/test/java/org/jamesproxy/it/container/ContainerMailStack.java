package org.jamesproxy.it.container;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.ServerCertificateRequest;

/**
 * Everything of a container test, started in order and stopped in reverse: the test CA, Dovecot and Postfix as the
 * real upstream (certificates from the CA, one mailbox user), and the stock James container hosting the proxy policies
 * a test derives from those upstreams. Tests of more proxy features (e.g. a proxy action scanning with clamd) build
 * their policies with {@link #start(Path, Function)} and add their containers beside this stack.
 */
final class ContainerMailStack implements AutoCloseable {
    static final String DOMAIN = ProxiedJames.DOMAIN;
    static final String USER = ProxiedJames.ALICE;
    static final String PASSWORD = ProxiedJames.PASSWORD;

    final CertificateAuthority ca = CertificateAuthority.create("CN=james-mail-proxy container test CA");
    final DovecotContainer dovecot;
    final PostfixContainer postfix;
    JamesContainer james;
    JamesHome home;
    private final List<AutoCloseable> started = new ArrayList<>();

    private ContainerMailStack() {
        dovecot = new DovecotContainer(localhostCertificate()).withUser(USER, PASSWORD);
        postfix = new PostfixContainer(localhostCertificate(), DOMAIN, dovecot.lmtpPort());
    }

    /**
     * Starts Dovecot, Postfix, then James with the drop-in jar and the policies {@code policies} derives from the
     * started stack (its upstream ports, its CA).
     */
    static ContainerMailStack start(Path homeDirectory, Function<ContainerMailStack, List<ProxySettings>> policies) {
        ContainerMailStack stack = new ContainerMailStack();
        try {
            stack.dovecot.start();
            stack.started.add(stack.dovecot);
            stack.postfix.start();
            stack.started.add(stack.postfix);
            stack.home = jamesHome(homeDirectory, policies.apply(stack));
            stack.james = JamesContainer.serving(stack.home);
            stack.james.start();
            stack.started.add(stack.james);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /** A James home with the plugin, the drop-in jar and the given policies; none of James's own listeners is on. */
    static JamesHome jamesHome(Path directory, List<ProxySettings> policies) {
        JamesHome.Builder builder = JamesHome.builder(directory)
            .ports(JamesPorts.builder().build())
            .defaultDomain(DOMAIN)
            .domain(DOMAIN)
            .pluginEnabled(true)
            .extensionJar(DropInJar.path())
            .consoleLogLevel("INFO");
        policies.forEach(builder::proxy);
        return builder.write();
    }

    IssuedCertificate localhostCertificate() {
        return ca.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build());
    }

    /** What a mail client of the proxy trusts: the test CA (it issued the Proxy Server certificates). */
    SSLContext clientTrust() throws Exception {
        return ProxiedJames.sslContextTrusting(ca.certificate());
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // Keep stopping the others; .ci/docker-down.sh removes whatever remains.
            }
        }
        started.clear();
    }
}
