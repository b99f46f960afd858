package org.jamesproxy.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.util.Version;

/**
 * What an admin sees when the deployment is wrong: the stock James container must not start, and its log must say why
 * in words that point at the fix. No upstream is needed: James's boot stops before any connection.
 */
@ContainerTest
class JamesBootFailureContainerTest {
    private static final CertificateAuthority CA = CertificateAuthority.create("CN=boot failure test CA");

    @Test
    void invalidMailProxyXmlShouldStopTheBootWithTheElementAndValueInTheLog(@TempDir Path root) throws Exception {
        JamesHome home = ContainerMailStack.jamesHome(root, List.of(imapPolicy().tlsSupport("sometimes").build()));

        String log = bootExpectingFailure(home);

        assertThat(log.lines()).as("James's log").anyMatch(line -> line.contains("tlsSupport") && line.contains("sometimes"));
    }

    @Test
    void dropInJarBundlingNettyShouldStopTheBootNamingThePackagesAndTheRightJar(@TempDir Path root) throws Exception {
        JamesHome home = ContainerMailStack.jamesHome(root.resolve("home"), List.of(imapPolicy().build()));
        // The admin deployed a "fat" jar instead of the drop-in jar: ours plus Netty's classes.
        Path dropIn = home.extensionsJarsDirectory().resolve(DropInJar.path().getFileName());
        Path fatJar = jarWithNetty(dropIn, root.resolve("james-mail-proxy-with-netty.jar"));
        Files.delete(dropIn);
        home.copyExtensionJar(fatJar);

        String log = bootExpectingFailure(home);

        assertThat(log).contains("bundles classes of packages Apache James already ships (io.netty",
            "/root/extensions-jars/james-mail-proxy-with-netty.jar", "guice-modules-<version>-dropin.jar");
    }

    /** Boots the stock James container with this home; expects a non-zero exit within 2 minutes; returns the log. */
    private static String bootExpectingFailure(JamesHome home) {
        try (JamesContainer james = JamesContainer.expectedToFailBoot(home)) {
            james.start();
            String log = james.getLogs();
            assertThat(james.exitCode()).as("James's exit code; its log:\n" + log).isNotZero();
            assertThat(log).doesNotContain("JAMES server started");
            return log;
        }
    }

    private static ProxySettings.Builder imapPolicy() {
        return ProxySettings.imap("imap")
            .tlsSupport("enabled")
            .bind("127.0.0.1:" + ContainerPorts.next())
            .tlsBind("127.0.0.1:" + ContainerPorts.next())
            .proxyCertificate(CA.issue(ServerCertificateRequest.forNames("localhost").ipAddress("127.0.0.1").build()))
            .upstream("localhost", ContainerPorts.next(), "implicit")
            .upstreamTrust(CA.certificate())
            .expectedHostName("localhost");
    }

    /** {@code dropIn}'s entries plus every io/netty/util class of the netty-common jar this test runs with. */
    private static Path jarWithNetty(Path dropIn, Path target) throws IOException {
        Path nettyJar = Path.of(Version.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        try (OutputStream out = Files.newOutputStream(target); ZipOutputStream zip = new ZipOutputStream(out)) {
            copyEntries(dropIn, zip, "");
            copyEntries(nettyJar, zip, "io/netty/util/");
        }
        return target;
    }

    private static void copyEntries(Path jar, ZipOutputStream zip, String prefix) throws IOException {
        try (ZipFile source = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(source.entries())) {
                if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                try (InputStream in = source.getInputStream(entry)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
    }
}
