package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.MessageFixtures;
import org.jamesproxy.engine.testing.RspamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code SpamCheck} with {@code engine=rspamd} against a real rspamd (Debian's, offline), per protocol. */
class SpamCheckRspamdTest {
    @RegisterExtension
    static RspamdDaemon rspamd = new RspamdDaemon();

    private static FakeMailetConfig.Builder config(int port) {
        return FakeMailetConfig.builder()
            .mailetName("SpamCheck")
            .mailetContext(FakeMailContext.defaultContext())
            .setProperty("engine", "rspamd")
            .setProperty("host", "127.0.0.1")
            .setProperty("port", String.valueOf(port))
            .setProperty("timeout", "60s");
    }

    private static FakeMailetConfig.Builder config() {
        return config(rspamd.port());
    }

    private static SpamCheck mailet(FakeMailetConfig config) throws MessagingException {
        SpamCheck mailet = new SpamCheck();
        mailet.init(config);
        return mailet;
    }

    private static Mail mail(byte[] message, Optional<Protocol> protocol) throws MessagingException {
        FakeMail.Builder builder = FakeMail.builder().name("mail-1").mimeMessage(MessageFixtures.parse(message))
            .sender("bob@demo.local").recipient("alice@demo.local");
        protocol.ifPresent(p -> builder.attribute(new Attribute(ProxyMailAttributes.PROTOCOL, AttributeValue.of(p.name()))));
        return builder.build();
    }

    private static Optional<String> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value).map(String::valueOf);
    }

    @Nested
    class RealRspamd {
        @Test
        void gtubeIsDeniedOverSmtpWithSpamActionDeny() throws Exception {
            Mail mail = mail(TestMessages.gtube("gtube"), Optional.of(Protocol.SMTP));

            List<Finding> findings = mailet(config().setProperty("spamAction", "deny").build()).findings(mail);

            assertThat(findings).singleElement().satisfies(finding -> {
                assertThat(finding.getCategory()).isEqualTo(Finding.Category.SPAM);
                assertThat(finding.getAction()).isEqualTo(RuleAction.DENY);
            });
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("spam");
            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)[0]).startsWith("Yes, score=").contains("action=reject")
                .contains("GTUBE");
            assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).containsExactly("YES");
        }

        @Test
        void gtubeIsTaggedOverImapAndPop3() throws Exception {
            for (Protocol protocol : List.of(Protocol.IMAP, Protocol.POP3)) {
                Mail mail = mail(TestMessages.gtube("gtube"), Optional.of(protocol));

                List<Finding> findings = mailet(config().setProperty("spamAction", "deny").build()).findings(mail);

                assertThat(findings).as("%s", protocol).isEmpty();
                assertThat(mail.getMessage().getSubject()).as("%s", protocol).isEqualTo("[SPAM] gtube");
                assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).containsExactly("YES");
            }
        }

        @Test
        void hamIsUntouchedWithoutHeaders() throws Exception {
            byte[] ham = TestMessages.ham("lunch");
            Mail mail = mail(ham, Optional.of(Protocol.SMTP));

            List<Finding> findings = mailet(config().setProperty("spamAction", "deny").setProperty("addHeaders", "false").build())
                .findings(mail);

            assertThat(findings).isEmpty();
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("ham");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            mail.getMessage().writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(ham);
        }

        @Test
        void hamGetsANoStatus() throws Exception {
            Mail mail = mail(TestMessages.ham("lunch"), Optional.of(Protocol.SMTP));

            assertThat(mailet(config().build()).findings(mail)).isEmpty();

            assertThat(mail.getMessage().getHeader(SpamCheck.STATUS_HEADER)[0]).startsWith("No, score=").contains("action=no_action");
            assertThat(mail.getMessage().getHeader(SpamCheck.FLAG_HEADER)).isNull();
        }
    }

    @Nested
    class RspamdDown {
        private int closedPort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Test
        void smtpFollowsOnEngineFailure() throws Exception {
            Mail mail = mail(TestMessages.gtube("gtube"), Optional.of(Protocol.SMTP));

            List<Finding> findings = mailet(config(closedPort()).setProperty("onEngineFailure", "tempfail").build()).findings(mail);

            assertThat(findings).extracting(Finding::getCategory, Finding::getAction)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.ENGINE_FAILURE, RuleAction.TEMPFAIL));
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("failed");
        }

        @Test
        void failsOpenByDefaultAndAlwaysForRetrieval() throws Exception {
            assertThat(mailet(config(closedPort()).build()).findings(mail(TestMessages.gtube("g"), Optional.of(Protocol.SMTP)))).isEmpty();
            assertThat(mailet(config(closedPort()).setProperty("onEngineFailure", "tempfail").build())
                .findings(mail(TestMessages.gtube("g"), Optional.of(Protocol.IMAP)))).isEmpty();
        }
    }

    /** rspamd's other actions, from a loopback server answering with a canned /checkv2 reply. */
    @Nested
    class ActionMapping {
        private List<Finding> findingsFor(String action, Protocol protocol, Mail mail) throws Exception {
            String body = "{\"is_skipped\":false,\"score\":7.5,\"required_score\":15.0,\"action\":\"" + action
                + "\",\"symbols\":{\"FAKE_RULE\":{\"name\":\"FAKE_RULE\",\"score\":7.5}}}";
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread answer = new Thread(() -> {
                    try (Socket socket = server.accept()) {
                        InputStream in = socket.getInputStream();
                        byte[] request = new byte[65536];
                        in.read(request);
                        OutputStream out = socket.getOutputStream();
                        byte[] json = body.getBytes(StandardCharsets.US_ASCII);
                        out.write(("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                        out.write(json);
                    } catch (IOException e) {
                        // the test fails on the result
                    }
                });
                answer.start();
                List<Finding> findings = mailet(config(server.getLocalPort()).setProperty("spamAction", "deny").build()).findings(mail);
                answer.join(5000);
                return findings;
            }
        }

        @Test
        void addHeaderAndRewriteSubjectAreTaggedNotDenied() throws Exception {
            for (String action : List.of("add header", "rewrite subject")) {
                Mail mail = mail(TestMessages.ham("offer"), Optional.of(Protocol.SMTP));

                assertThat(findingsFor(action, Protocol.SMTP, mail)).as(action).isEmpty();
                assertThat(mail.getMessage().getSubject()).as(action).isEqualTo("[SPAM] offer");
            }
        }

        @Test
        void softRejectTempfailsSmtpAndPassesRetrieval() throws Exception {
            assertThat(findingsFor("soft reject", Protocol.SMTP, mail(TestMessages.ham("x"), Optional.of(Protocol.SMTP))))
                .extracting(Finding::getAction).containsExactly(RuleAction.TEMPFAIL);
            assertThat(findingsFor("soft reject", Protocol.POP3, mail(TestMessages.ham("x"), Optional.of(Protocol.POP3)))).isEmpty();
        }

        @Test
        void greylistIsHam() throws Exception {
            Mail mail = mail(TestMessages.ham("x"), Optional.of(Protocol.SMTP));

            assertThat(findingsFor("greylist", Protocol.SMTP, mail)).isEmpty();
            assertThat(attribute(mail, SpamCheck.STATUS_ATTRIBUTE)).contains("ham");
        }

        @Test
        void aThresholdDecidesByScoreInstead() throws Exception {
            Mail mail = mail(TestMessages.ham("x"), Optional.of(Protocol.SMTP));

            // score 7.5 >= threshold 5: spam, and spamAction (deny) applies whatever rspamd's action was.
            assertThat(findingsWithThreshold("greylist", mail)).extracting(Finding::getAction).containsExactly(RuleAction.DENY);
        }

        private List<Finding> findingsWithThreshold(String action, Mail mail) throws Exception {
            String body = "{\"score\":7.5,\"required_score\":15.0,\"action\":\"" + action + "\",\"symbols\":{}}";
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread answer = new Thread(() -> {
                    try (Socket socket = server.accept()) {
                        socket.getInputStream().read(new byte[65536]);
                        byte[] json = body.getBytes(StandardCharsets.US_ASCII);
                        socket.getOutputStream().write(("HTTP/1.0 200 OK\r\nContent-Length: " + json.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                        socket.getOutputStream().write(json);
                    } catch (IOException e) {
                        // the test fails on the result
                    }
                });
                answer.start();
                List<Finding> findings = mailet(config(server.getLocalPort()).setProperty("spamAction", "deny")
                    .setProperty("threshold", "5").build()).findings(mail);
                answer.join(5000);
                return findings;
            }
        }
    }
}
