package org.jamesproxy.it.container;

import java.time.Duration;
import java.util.List;

import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * Debian's Postfix (image {@code localhost/james-mail-proxy/postfix:it}, context integration-tests/docker/postfix):
 * one smtpd with STARTTLS on a free loopback port of the host, delivering the mail of the given domain over LMTP to
 * Dovecot. Its certificate is issued by the test's CA.
 */
final class PostfixContainer extends GenericContainer<PostfixContainer> {
    private final int smtpPort = ContainerPorts.next();

    PostfixContainer(IssuedCertificate serverCertificate, String domain, int dovecotLmtpPort) {
        super(LocalDocker.POSTFIX);
        withImagePullPolicy(LocalDocker.NEVER_PULL);
        withNetworkMode("host");
        withEnv("SMTP_PORT", Integer.toString(smtpPort));
        withEnv("LMTP_PORT", Integer.toString(dovecotLmtpPort));
        withEnv("DOMAINS", domain);
        withCopyToContainer(Transferable.of(PemFiles.certificates(serverCertificate.chain())), "/certs/server.crt");
        withCopyToContainer(Transferable.of(PemFiles.privateKey(serverCertificate.privateKey()), 0600), "/certs/server.key");
        waitingFor(new LoopbackPortsWaitStrategy(List.of(smtpPort)).withStartupTimeout(Duration.ofSeconds(60)));
    }

    int smtpPort() {
        return smtpPort;
    }
}
