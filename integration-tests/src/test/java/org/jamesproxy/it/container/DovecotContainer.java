package org.jamesproxy.it.container;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;

/**
 * Debian's Dovecot (image {@code localhost/james-mail-proxy/dovecot:it}, context integration-tests/docker/dovecot):
 * IMAP and POP3, each plain with STARTTLS and implicit TLS, plus LMTP for Postfix, on free loopback ports of the host.
 * Its certificate is issued by the test's CA; login needs TLS; users are provisioned before start.
 */
final class DovecotContainer extends GenericContainer<DovecotContainer> {
    private final int imapPort = ContainerPorts.next();
    private final int imapsPort = ContainerPorts.next();
    private final int pop3Port = ContainerPorts.next();
    private final int pop3sPort = ContainerPorts.next();
    private final int lmtpPort = ContainerPorts.next();
    private final Map<String, String> users = new LinkedHashMap<>();

    DovecotContainer(IssuedCertificate serverCertificate) {
        super(LocalDocker.DOVECOT);
        withImagePullPolicy(LocalDocker.NEVER_PULL);
        withNetworkMode("host");
        withEnv("IMAP_PORT", Integer.toString(imapPort));
        withEnv("IMAPS_PORT", Integer.toString(imapsPort));
        withEnv("POP3_PORT", Integer.toString(pop3Port));
        withEnv("POP3S_PORT", Integer.toString(pop3sPort));
        withEnv("LMTP_PORT", Integer.toString(lmtpPort));
        withCopyToContainer(Transferable.of(PemFiles.certificates(serverCertificate.chain())), "/certs/server.crt");
        withCopyToContainer(Transferable.of(PemFiles.privateKey(serverCertificate.privateKey()), 0600), "/certs/server.key");
        waitingFor(new LoopbackPortsWaitStrategy(List.of(imapPort, imapsPort, pop3Port, pop3sPort, lmtpPort))
            .withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** A mailbox user (full address) with a password; call before start. */
    DovecotContainer withUser(String address, String password) {
        users.put(address, password);
        return this;
    }

    @Override
    protected void configure() {
        String passwd = users.entrySet().stream()
            .map(user -> user.getKey() + ":{PLAIN}" + user.getValue() + "\n")
            .collect(Collectors.joining());
        withCopyToContainer(Transferable.of(passwd), "/etc/dovecot-it/users");
    }

    int imapPort() {
        return imapPort;
    }

    int imapsPort() {
        return imapsPort;
    }

    int pop3Port() {
        return pop3Port;
    }

    int pop3sPort() {
        return pop3sPort;
    }

    int lmtpPort() {
        return lmtpPort;
    }
}
