package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.MessageFixtures;
import org.jamesproxy.engine.testing.SpamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SpamCheckTest {
    @RegisterExtension
    static SpamdDaemon spamd = new SpamdDaemon();

    private static FakeMailetConfig.Builder config() {
        return FakeMailetConfig.builder()
            .mailetName("SpamCheck")
            .mailetContext(FakeMailContext.defaultContext())
            .setProperty("host", spamd.host())
            .setProperty("port", String.valueOf(spamd.port()))
            .setProperty("timeout", "60s");
    }

    private static SpamCheck mailet(FakeMailetConfig config) throws MessagingException {
        SpamCheck mailet = new SpamCheck();
        mailet.init(config);
        return mailet;
    }

    private static Mail mail(byte[] message, Optional<Protocol> protocol) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1").mimeMessage(MessageFixtures.parse(message));
        protocol.ifPresent(p -> builder.attribute(new Attribute(ProxyMailAttributes.PROTOCOL, AttributeValue.of(p.name()))));
        return builder.build();
    }

    private static Optional<String> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf);
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
        void imapMayOnlyAllowOrTag() {
            assertThatThrownBy(() -> mailet(config().setProperty("imapSpamAction", "deny").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'imapSpamAction'")
                .hasMessageContaining("IMAP and POP3 can only 'allow' or 'tag'");
        }

        @Test
        void pop3MayOnlyAllowOrTag() {
            assertThatThrownBy(() -> mailet(config().setProperty("pop3SpamAction", "quarantine").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'pop3SpamAction'");
        }

        @Test
        void unknownSpamActionShouldBeRejected() {
            assertThatThrownBy(() -> mailet(config().setProperty("spamAction", "block").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'spamAction'");
        }

        @Test
        void engineFailureMayOnlyAllowOrTempfail() {
            assertThatThrownBy(() -> mailet(config().setProperty("onEngineFailure", "deny").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'onEngineFailure'");
        }

        @Test
        void userWithLineBreakShouldBeRejected() {
            assertThatThrownBy(() -> mailet(config().setProperty("user", "bob\nX: y").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'user'");
        }
    }

    @Nested
    class Checking {
        @Test
        void gtubeShouldBeTaggedByDefaultWithHeaders() throws Exception {
            Mail mail = mail(TestMessages.gtube("cheap pills"), Optional.empty());

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getSubject()).isEqualTo("[SPAM] cheap pills");
            assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).containsExactly("YES");
            assertThat(Double.parseDouble(mail.getMessage().getHeader(SpamCheck.SCORE_HEADER)[0])).isGreaterThanOrEqualTo(1000);
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)[0]).startsWith("Yes, score=").contains("required=5.0", "GTUBE");
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("spam");
        }

        @Test
        void tagShouldKeepTheOtherHeadersInOrder() throws Exception {
            Mail mail = mail(TestMessages.gtube("cheap pills"), Optional.empty());
            String before = MessageFixtures.headerOf(TestMessages.gtube("cheap pills"));

            mailet(config().setProperty("addHeaders", "false").build()).findings(mail);

            String after = MessageFixtures.headerOf(MessageFixtures.write(mail.getMessage()));
            assertThat(after).isEqualTo(before.replace("Subject: cheap pills", "Subject: [SPAM] cheap pills"));
        }

        @Test
        void alreadyTaggedSubjectShouldNotBeTaggedTwice() throws Exception {
            Mail mail = mail(TestMessages.gtube("[SPAM] cheap pills"), Optional.of(Protocol.IMAP));

            mailet(config().build()).findings(mail);

            assertThat(mail.getMessage().getSubject()).isEqualTo("[SPAM] cheap pills");
        }

        @Test
        void hamShouldOnlyGetHeaders() throws Exception {
            byte[] forged = new String(TestMessages.ham("meeting"), StandardCharsets.US_ASCII)
                .replaceFirst("MIME-Version", "X-Spam-Flag: YES\r\nMIME-Version").getBytes(StandardCharsets.US_ASCII);
            Mail mail = mail(forged, Optional.of(Protocol.SMTP));

            List<Finding> findings = mailet(config().setProperty("spamAction", "deny").build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getSubject()).isEqualTo("meeting");
            assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).isNull();
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)[0]).startsWith("No, score=");
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("ham");
        }

        @Test
        void headerOnlyMessageShouldBeLeftAlone() throws Exception {
            Mail mail = mail((MessageFixtures.headerOf(TestMessages.gtube("pills")) + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                Optional.of(Protocol.IMAP));

            List<Finding> findings = mailet(config().build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getSubject()).isEqualTo("pills");
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)).isNull();
        }

        @Test
        void smtpDenyShouldSetTheDenyVerdict() throws Exception {
            Mail mail = mail(TestMessages.gtube("cheap pills"), Optional.of(Protocol.SMTP));

            mailet(config().setProperty("spamAction", "deny").build()).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("deny");
            assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).hasValueSatisfying(reason ->
                assertThat(reason).startsWith("message classified as spam (score 10"));
            assertThat(mail.getMessage().getSubject()).isEqualTo("cheap pills");
        }

        @Test
        void imapShouldTagWhenSmtpDenies() throws Exception {
            Mail mail = mail(TestMessages.gtube("cheap pills"), Optional.of(Protocol.IMAP));

            List<Finding> findings = mailet(config().setProperty("spamAction", "deny").build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getSubject()).isEqualTo("[SPAM] cheap pills");
        }

        @Test
        void pop3AllowShouldLeaveTheSubject() throws Exception {
            Mail mail = mail(TestMessages.gtube("cheap pills"), Optional.of(Protocol.POP3));

            List<Finding> findings = mailet(config().setProperty("pop3SpamAction", "allow").setProperty("subjectTag", "***SPAM***")
                .build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(mail.getMessage().getSubject()).isEqualTo("cheap pills");
            assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).containsExactly("YES");
        }

        @Test
        void quarantineAndDropShouldBeFindingsForSmtp() throws Exception {
            assertThat(mailet(config().setProperty("spamAction", "lock").build())
                .findings(mail(TestMessages.gtube("a"), Optional.of(Protocol.SMTP))))
                .extracting(Finding::getCategory, Finding::getAction)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.SPAM, RuleAction.QUARANTINE));
            assertThat(mailet(config().setProperty("spamAction", "drop").build())
                .findings(mail(TestMessages.gtube("b"), Optional.empty())))
                .extracting(Finding::getAction)
                .containsExactly(RuleAction.DROP);
        }

        @Test
        void thresholdShouldOverrideSpamdsVerdict() throws Exception {
            Mail mail = mail(TestMessages.ham("meeting"), Optional.empty());

            mailet(config().setProperty("threshold", "-100").build()).findings(mail);

            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("spam");
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)[0]).contains("required=-100.0");
            assertThat(mail.getMessage().getSubject()).isEqualTo("[SPAM] meeting");
        }

        @Test
        void messageOverMaxScanSizeShouldBeSkipped() throws Exception {
            Mail mail = mail(TestMessages.gtube("big"), Optional.of(Protocol.SMTP));
            RecordingMetricFactory metrics = new RecordingMetricFactory();
            SpamCheck mailet = new SpamCheck(metrics);
            mailet.init(config().setProperty("maxScanSize", "100").setProperty("spamAction", "deny").build());

            List<Finding> findings = mailet.findings(mail);

            assertThat(findings).isEmpty();
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("skipped");
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)).isNull();
            assertThat(metrics.countFor(SpamCheck.SKIPPED_METRIC)).isEqualTo(1);
        }
    }

    @Nested
    class EngineFailure {
        @Test
        void spamdDownShouldAllowByDefault() throws Exception {
            Mail mail = mail(TestMessages.gtube("x"), Optional.of(Protocol.SMTP));

            List<Finding> findings = mailet(config().setProperty("port", String.valueOf(closedPort()))
                .setProperty("spamAction", "deny").build()).findings(mail);

            assertThat(findings).isEmpty();
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("failed");
            assertThat(mail.getMessage().getSubject()).isEqualTo("x");
        }

        @Test
        void tempfailShouldApplyToSmtpOnly() throws Exception {
            SpamCheck mailet = mailet(config().setProperty("port", String.valueOf(closedPort()))
                .setProperty("onEngineFailure", "tempfail").build());

            assertThat(mailet.findings(mail(TestMessages.gtube("x"), Optional.of(Protocol.SMTP))))
                .extracting(Finding::getCategory, Finding::getAction)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.ENGINE_FAILURE, RuleAction.TEMPFAIL));
            assertThat(mailet.findings(mail(TestMessages.gtube("x"), Optional.of(Protocol.IMAP)))).isEmpty();
        }
    }
}
