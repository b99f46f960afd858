package org.jamesproxy.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.mail.Folder;
import javax.mail.Store;

import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

/**
 * The drop-in route in the official {@code apache/james:memory-3.8.1} image: our jar in extensions-jars/, our
 * lines in extensions.properties and our mailproxy.xml in conf/, nothing else changed. The only test allowed to
 * skip itself: these CI machines have no Docker engine (see the README).
 */
@Testcontainers(disabledWithoutDocker = true)
class OfficialJamesImageTest {
    private static final Path DROP_IN_JAR = Path.of("../guice-modules/target/guice-modules-0.1.0-SNAPSHOT-dropin.jar");

    @TempDir
    Path tempDir;

    @Test
    void officialImageShouldStartTheProxyFromTheDropInJar() throws Exception {
        ProxiedJames pki = new ProxiedJames();
        Pkcs12KeyStores.write(pki.serverCertificate, tempDir.resolve("proxy.p12"), "proxy", "secret".toCharArray());
        // Upstream: the container's own IMAP on loopback (plaintext toward loopback is allowed by the policy rules).
        Files.writeString(tempDir.resolve("mailproxy.xml"), String.join("\n",
            "<mailproxy>",
            "  <imapproxy>",
            "    <name>container</name>",
            "    <bind>0.0.0.0:10143</bind>",
            "    <tlsBind>0.0.0.0:10993</tlsBind>",
            "    <tls><keystore>file://conf/proxy.p12</keystore><keystoreType>PKCS12</keystoreType><secret>secret</secret></tls>",
            "    <upstream><host>127.0.0.1</host><port>143</port><tls>none</tls></upstream>",
            "  </imapproxy>",
            "</mailproxy>"));
        Files.writeString(tempDir.resolve("extensions.properties"),
            "guice.extension.module=org.jamesproxy.modules.MailProxyModule\n"
                + "guice.extension.startable=org.jamesproxy.modules.MailProxyStartable\n");

        try (GenericContainer<?> james = new GenericContainer<>("apache/james:memory-3.8.1")
            .withCopyFileToContainer(MountableFile.forHostPath(DROP_IN_JAR), "/root/extensions-jars/james-mail-proxy.jar")
            .withCopyFileToContainer(MountableFile.forHostPath(tempDir.resolve("extensions.properties")), "/root/conf/extensions.properties")
            .withCopyFileToContainer(MountableFile.forHostPath(tempDir.resolve("mailproxy.xml")), "/root/conf/mailproxy.xml")
            .withCopyFileToContainer(MountableFile.forHostPath(tempDir.resolve("proxy.p12")), "/root/conf/proxy.p12")
            .withExposedPorts(10993, 8000)
            .waitingFor(Wait.forLogMessage(".*JAMES server started.*", 1).withStartupTimeout(Duration.ofMinutes(3)))) {
            james.start();
            String webAdmin = "http://" + james.getHost() + ":" + james.getMappedPort(8000);
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(URI.create(webAdmin + "/domains/" + ProxiedJames.DOMAIN))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            http.send(HttpRequest.newBuilder(URI.create(webAdmin + "/users/" + ProxiedJames.ALICE))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + ProxiedJames.PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.discarding());

            try (Store store = MailClients.imaps("localhost", james.getMappedPort(10993), pki.clientSslContext()).getStore("imaps")) {
                store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getMessageCount()).isGreaterThanOrEqualTo(0);
                assertThat(james.getLogs()).contains("Mail proxy policy 'container' listening");
            }
        }
    }
}
