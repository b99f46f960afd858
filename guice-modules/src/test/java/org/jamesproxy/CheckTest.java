package org.jamesproxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckTest {
    private static final String POLICY = "<mailproxy><imapproxy><name>imap</name><bind>127.0.0.1:10143</bind>"
        + "<tlsBind>127.0.0.1:10993</tlsBind><tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
        + "<upstream><host>127.0.0.1</host><port>993</port></upstream><proxyAction>IMAP-Server.Standard</proxyAction>"
        + "%s</imapproxy></mailproxy>";

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(String xml, boolean withKeystore) throws Exception {
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("mailproxy.xml"), xml);
        if (withKeystore) {
            Files.write(conf.resolve("keystore"), new byte[]{1});
        }
        return Check.run(new String[]{conf.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void goodConfShouldPrintTheEffectivePoliciesAndExitZero() throws Exception {
        int exit = check(String.format(POLICY, ""), true);

        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("imap (jmxName imapproxy-imap, tlsSupport enabled)")
            .contains("listener 127.0.0.1:10143 plain + STARTTLS")
            .contains("listener 127.0.0.1:10993 implicit TLS")
            .contains("upstream 127.0.0.1:993 tls implicit")
            .contains("proxy action IMAP-Server.Standard")
            .contains("IMAP-Server.Standard")
            .contains("mailproxy.xml: OK");
    }

    @Test
    void misspelledElementShouldExitOneWithTheSuggestion() throws Exception {
        int exit = check(String.format(POLICY, "<tlsSuport>required</tlsSuport>"), true);

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
            .contains("unknown element mailproxy.imapproxy.tlsSuport, did you mean tlsSupport?");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("OK");
    }

    @Test
    void missingCertificateOfAnEnabledPolicyShouldExitOne() throws Exception {
        int exit = check(String.format(POLICY, ""), false);

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("policy imap <tls><keystore> file://conf/keystore: no such file");
    }

    @Test
    void missingFileShouldExitOne() throws Exception {
        int exit = Check.run(new String[]{home.resolve("nowhere").toString()}, new PrintStream(out), new PrintStream(err));

        assertThat(exit).isEqualTo(1);
    }
}
