package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.MessageFixtures;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.engine.testing.TestSignatures;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.PartPath;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AntivirusScanTest {
    @RegisterExtension
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    private static FakeMailetConfig.Builder config() {
        return FakeMailetConfig.builder()
            .mailetName("AntivirusScan")
            .mailetContext(FakeMailContext.defaultContext())
            .setProperty("host", clamd.host())
            .setProperty("port", String.valueOf(clamd.port()))
            .setProperty("timeout", "10s");
    }

    private static AntivirusScan mailet(FakeMailetConfig config) throws MessagingException {
        AntivirusScan mailet = new AntivirusScan();
        mailet.init(config);
        return mailet;
    }

    private static Mail mail(byte[] message) throws MessagingException {
        return FakeMail.builder().name("mail-1").mimeMessage(MessageFixtures.parse(message)).build();
    }

    private static Optional<String> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf);
    }

    private static byte[] zip(String entryName, byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("nothing to see".getBytes(StandardCharsets.US_ASCII));
            zip.putNextEntry(new ZipEntry(entryName));
            zip.write(content);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Nested
    class Init {
        @Test
        void unknownParameterShouldBeRejected() {
            assertThatThrownBy(() -> mailet(config().setProperty("maxScanSise", "1M").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("maxScanSise");
        }

        @Test
        void invalidActionShouldBeRejectedNamingTheParameter() {
            assertThatThrownBy(() -> mailet(config().setProperty("onVirus", "explode").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'onVirus'")
                .hasMessageContaining("'explode'");
        }

        @Test
        void tempfailShouldNotBeAVirusAction() {
            assertThatThrownBy(() -> mailet(config().setProperty("onVirus", "tempfail").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'onVirus'");
        }

        @Test
        void stripShouldNotBeAnEngineFailureAction() {
            assertThatThrownBy(() -> mailet(config().setProperty("onEngineFailure", "strip").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'onEngineFailure'");
        }

        @Test
        void invalidSizeAndTimeoutShouldBeRejected() {
            assertThatThrownBy(() -> mailet(config().setProperty("maxScanSize", "lots").build()))
                .hasMessageContaining("'maxScanSize'");
            assertThatThrownBy(() -> mailet(config().setProperty("timeout", "soon").build()))
                .hasMessageContaining("'timeout'");
            assertThatThrownBy(() -> mailet(config().setProperty("port", "70000").build()))
                .hasMessageContaining("'port'");
        }

        @Test
        void lockShouldMeanQuarantine() throws MessagingException {
            AntivirusScan mailet = mailet(config().setProperty("onVirus", "lock").build());

            List<Finding> findings = mailet.findings(mail(TestMessages.withEicarAttachment("x")));

            assertThat(findings).extracting(Finding::getAction).containsExactly(RuleAction.QUARANTINE);
        }
    }

    @Nested
    class Scanning {
        @Test
        void cleanMessageShouldHaveNoFindingAndBeMarkedClean() throws Exception {
            Mail mail = mail(TestMessages.withAttachment("report", "report.pdf", "application/pdf",
                "%PDF-1.4 not really".getBytes(StandardCharsets.US_ASCII)));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("clean");
            assertThat(mail.getMessage().getHeader(AntivirusScan.SCANNED_HEADER)).containsExactly("clamd");
            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)).containsExactly("Clean");
        }

        @Test
        void eicarAttachmentShouldBeAStripFindingOnThatPart() throws Exception {
            Mail mail = mail(TestMessages.withEicarAttachment("infected"));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).hasSize(1);
            Finding finding = findings.get(0);
            assertThat(finding.getCategory()).isEqualTo(Finding.Category.VIRUS);
            assertThat(finding.getAction()).isEqualTo(RuleAction.STRIP);
            assertThat(finding.getPart()).isEqualTo(PartPath.of(List.of(1)));
            assertThat(finding.getFilename()).contains("eicar.com");
            assertThat(finding.getType()).contains("application/octet-stream");
            assertThat(finding.getVirus()).hasValueSatisfying(virus -> assertThat(virus).startsWith("JamesProxy-Test-Eicar"));
            assertThat(finding.getReason()).contains("attachment eicar.com (part 2)");
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("infected");
            assertThat(attribute(mail, AntivirusScan.VIRUSES_ATTRIBUTE)).hasValueSatisfying(v -> assertThat(v).startsWith("JamesProxy-Test-Eicar"));
            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)[0]).startsWith("Infected (JamesProxy-Test-Eicar");
        }

        @Test
        void virusInASinglePartMessageShouldDenyAsThereIsNoPartToStrip() throws Exception {
            Mail mail = mail(TestMessages.text("plain", TestSignatures.EICAR_TEXT));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).extracting(Finding::getAction, Finding::getPart)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(RuleAction.DENY, PartPath.ROOT));
            assertThat(findings.get(0).getReason()).contains("found in the message");
        }

        @Test
        void virusInsideAZipAttachmentShouldBeFoundOnTheZipPart() throws Exception {
            Mail mail = mail(TestMessages.withAttachment("zipped", "files.zip", "application/zip",
                zip("tools/eicar.com", TestSignatures.eicar())));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).hasSize(1);
            assertThat(findings.get(0).getFilename()).contains("files.zip");
            assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(1)));
        }

        @Test
        void virusInAForwardedMessageShouldCarryTheNestedPath() throws Exception {
            String inner = new String(TestMessages.withEicarAttachment("inner"), StandardCharsets.US_ASCII);
            byte[] outer = ("From: carol@demo.local\r\nTo: alice@demo.local\r\nSubject: Fwd: inner\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
                + "--outer\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
                + "--outer\r\nContent-Type: message/rfc822\r\n\r\n" + inner
                + "--outer--\r\n").getBytes(StandardCharsets.US_ASCII);

            List<Finding> findings = mailet(config().build()).findings(mail(outer));

            assertThat(findings).extracting(Finding::getPart).containsExactly(PartPath.of(List.of(1, 0, 1)));
            assertThat(findings.get(0).getFilename()).contains("eicar.com");
        }

        @Test
        void rfc2047EncodedFilenameShouldBeDecoded() throws Exception {
            Mail mail = mail(TestMessages.withAttachment("encoded", "=?UTF-8?Q?f=C3=A4ktura.exe?=", "application/octet-stream",
                TestSignatures.eicar()));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings.get(0).getFilename()).contains("f\u00e4ktura.exe");
        }

        @Test
        void forgedStatusHeaderShouldBeReplaced() throws Exception {
            byte[] forged = new String(TestMessages.withEicarAttachment("forged"), StandardCharsets.US_ASCII)
                .replaceFirst("MIME-Version", "X-Virus-Status: Clean\r\nX-Virus-Status: Clean\r\nMIME-Version")
                .getBytes(StandardCharsets.US_ASCII);
            Mail mail = mail(forged);

            mailet(config().build()).findings(mail);

            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)).hasSize(1);
            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)[0]).startsWith("Infected");
        }

        @Test
        void scanningShouldNotSaveOrReRenderAJamesMessage() throws Exception {
            MimeMessageWrapper wrapper = new MimeMessageWrapper(MessageFixtures.parse(TestMessages.withAttachment(
                "report", "report.txt", "text/plain", "quarterly figures".getBytes(StandardCharsets.US_ASCII))));
            Mail mail = FakeMail.builder().name("m").mimeMessage(wrapper).build();

            mailet(config().build()).findings(mail);

            assertThat(wrapper.isBodyModified()).isFalse();
            assertThat(wrapper.getHeader("Message-ID")).containsExactly("<" + Math.abs("report".hashCode()) + ".engine-test@demo.local>");
        }

        @Test
        void rescanningAMessageAlreadyMarkedTheSameShouldLeaveItUnmodified() throws Exception {
            AntivirusScan mailet = mailet(config().build());
            Mail first = mail(TestMessages.ham("note"));
            mailet.findings(first);
            MimeMessageWrapper marked = new MimeMessageWrapper(MessageFixtures.parse(MessageFixtures.write(first.getMessage())));
            marked.getContent();

            mailet.findings(FakeMail.builder().name("m").mimeMessage(marked).build());

            assertThat(marked.isModified()).isFalse();
        }

        @Test
        void headerOnlyMessageShouldBeLeftAlone() throws Exception {
            byte[] full = TestMessages.withEicarAttachment("header fetch");
            Mail mail = mail((MessageFixtures.headerOf(full) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));

            List<Finding> findings = mailet(config().setProperty("port", String.valueOf(closedPort())).build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)).isNull();
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).isEmpty();
        }

        @Test
        void denyActionShouldSetTheDenyVerdictThroughTheExecutor() throws Exception {
            Mail mail = mail(TestMessages.withEicarAttachment("infected"));

            mailet(config().setProperty("onVirus", "deny").build()).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("deny");
            assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).hasValueSatisfying(reason ->
                assertThat(reason).contains("JamesProxy-Test-Eicar", "eicar.com"));
        }

        @Test
        void allowShouldOnlyRecordTheVirus() throws Exception {
            Mail mail = mail(TestMessages.withEicarAttachment("infected"));

            mailet(config().setProperty("onVirus", "allow").build()).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).isEmpty();
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("infected");
        }

        @Test
        void metricsShouldCountInfectedMessages() throws Exception {
            RecordingMetricFactory metrics = new RecordingMetricFactory();
            AntivirusScan mailet = new AntivirusScan(metrics);
            mailet.init(config().build());

            mailet.findings(mail(TestMessages.withEicarAttachment("infected")));
            mailet.findings(mail(TestMessages.ham("clean")));

            assertThat(metrics.countFor(AntivirusScan.INFECTED_METRIC)).isEqualTo(1);
            assertThat(metrics.executionTimesFor(AntivirusScan.SCAN_TIMER)).hasSize(2);
        }
    }

    @Nested
    class Limits {
        @Test
        void messageOverMaxScanSizeShouldBeDeniedByDefaultNotTakenAsClean() throws Exception {
            Mail mail = mail(TestMessages.withAttachment("big", "big.bin", "application/octet-stream", new byte[20_000]));

            List<Finding> findings = mailet(config().setProperty("maxScanSize", "8K").build()).findings(mail);

            assertThat(findings).extracting(Finding::getCategory, Finding::getAction, Finding::getPart)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.UNSCANNABLE, RuleAction.DENY, PartPath.ROOT));
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("unscannable");
            assertThat(mail.getMessage().getHeader(AntivirusScan.STATUS_HEADER)).containsExactly("Unscannable");
        }

        @Test
        void oversizeAllowMustBeExplicitAndStillFindsAVirusInThePrefix() throws Exception {
            byte[] big = new byte[20_000];
            System.arraycopy(TestSignatures.eicar(), 0, big, 0, 68);
            Mail mail = mail(TestMessages.withAttachment("big", "big.bin", "application/octet-stream", big));

            List<Finding> findings = mailet(config().setProperty("maxScanSize", "8K").setProperty("onOversize", "allow").build())
                .findings(mail);

            assertThat(findings).extracting(Finding::getCategory, Finding::getAction, Finding::getPart).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Finding.Category.VIRUS, RuleAction.DENY, PartPath.ROOT),
                org.assertj.core.groups.Tuple.tuple(Finding.Category.UNSCANNABLE, RuleAction.ALLOW, PartPath.ROOT));
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("infected");
        }

        @Test
        void tooManyPartsShouldBeUnscannable() throws Exception {
            String parts = "";
            for (int i = 0; i < 4; i++) {
                parts += "--b\r\nContent-Type: text/plain\r\n\r\npart " + i + "\r\n";
            }
            byte[] message = ("From: a@demo.local\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + parts + "--b--\r\n").getBytes(StandardCharsets.US_ASCII);

            List<Finding> findings = mailet(config().setProperty("maxParts", "3").build()).findings(mail(message));

            // maxParts counts every part, the message and the multipart included: the fourth is the third text part.
            assertThat(findings).extracting(Finding::getCategory, Finding::getPart)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.UNSCANNABLE, PartPath.of(List.of(2))));
        }
    }

    @Nested
    class EngineFailure {
        @Test
        void clamdDownShouldTempfailByDefault() throws Exception {
            Mail mail = mail(TestMessages.withEicarAttachment("x"));
            AntivirusScan mailet = mailet(config().setProperty("port", String.valueOf(closedPort())).build());

            List<Finding> findings = mailet.findings(mail);

            assertThat(findings).extracting(Finding::getCategory, Finding::getAction)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.ENGINE_FAILURE, RuleAction.TEMPFAIL));
            assertThat(findings.get(0).getReason()).doesNotContain("127.0.0.1");
            assertThat(attribute(mail, AntivirusScan.STATUS_ATTRIBUTE)).contains("failed");
            assertThat(mail.getMessage().getHeader(AntivirusScan.SCANNED_HEADER)).isNull();
        }

        @Test
        void tempfailVerdictShouldBeSetThroughTheExecutor() throws Exception {
            Mail mail = mail(TestMessages.ham("x"));

            mailet(config().setProperty("port", String.valueOf(closedPort())).build()).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("tempfail");
        }

        @Test
        void allowOnEngineFailureShouldBeExplicit() throws Exception {
            Mail mail = mail(TestMessages.ham("x"));

            List<Finding> findings = mailet(config().setProperty("port", String.valueOf(closedPort()))
                .setProperty("onEngineFailure", "allow").build()).findings(mail);

            assertThat(findings).extracting(Finding::getAction).containsExactly(RuleAction.ALLOW);
        }
    }
    @Nested
    class OneScan {
        private List<Finding> scanThroughCounter(byte[] message, org.jamesproxy.engine.testing.CountingForwarder counter) throws Exception {
            AntivirusScan mailet = mailet(config().setProperty("port", String.valueOf(counter.port())).build());
            return mailet.findings(mail(message));
        }

        @Test
        void aCleanMultipartMessageCostsOneInstream() throws Exception {
            try (org.jamesproxy.engine.testing.CountingForwarder counter =
                     new org.jamesproxy.engine.testing.CountingForwarder(clamd.host(), clamd.port())) {
                byte[] message = TestMessages.withAttachment("report", "files.zip", "application/zip", zip("data.bin", new byte[5000]));

                assertThat(scanThroughCounter(message, counter)).isEmpty();
                assertThat(counter.connections()).isEqualTo(1);
            }
        }

        @Test
        void partsReadLenientlyGoInTheSameInstream() throws Exception {
            try (org.jamesproxy.engine.testing.CountingForwarder counter =
                     new org.jamesproxy.engine.testing.CountingForwarder(clamd.host(), clamd.port())) {
                byte[] message = org.jamesproxy.inspection.HostileMimeConstructions.QP_SOFT_BREAK_WITH_BLANK.clean();

                assertThat(scanThroughCounter(message, counter)).isEmpty();
                assertThat(counter.connections()).isEqualTo(1);
            }
        }

        @Test
        void onlyAnInfectedMessageIsScannedPartByPart() throws Exception {
            try (org.jamesproxy.engine.testing.CountingForwarder counter =
                     new org.jamesproxy.engine.testing.CountingForwarder(clamd.host(), clamd.port())) {
                List<Finding> findings = scanThroughCounter(TestMessages.withEicarAttachment("eicar"), counter);

                assertThat(findings).extracting(Finding::getPart).containsExactly(PartPath.of(List.of(1)));
                // The message, then its two parts one by one.
                assertThat(counter.connections()).isEqualTo(3);
            }
        }
    }
}
