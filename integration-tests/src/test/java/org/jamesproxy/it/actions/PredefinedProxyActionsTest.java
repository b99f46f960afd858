package org.jamesproxy.it.actions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.it.actions.Messages.attachment;
import static org.jamesproxy.it.actions.Messages.base64;
import static org.jamesproxy.it.actions.Messages.exe;
import static org.jamesproxy.it.actions.Messages.message;
import static org.jamesproxy.it.actions.Messages.multipartBody;
import static org.jamesproxy.it.actions.Messages.multipartMessage;
import static org.jamesproxy.it.actions.Messages.pdf;
import static org.jamesproxy.it.actions.Messages.textPart;
import static org.jamesproxy.it.actions.Messages.zip;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.PredefinedProxyActions;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.OnError;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.inspection.ProxyAction;
import org.jamesproxy.inspection.ProxyActionInspector;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.jamesproxy.inspection.ProxyActionLoader;
import org.jamesproxy.inspection.Verdict;
import org.jamesproxy.mailet.AntivirusScan;
import org.jamesproxy.mailet.ContentTypeRules;
import org.jamesproxy.mailet.FilenameRules;
import org.jamesproxy.mailet.SpamCheck;
import org.jamesproxy.mailet.StripHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.codahale.metrics.MetricRegistry;

/**
 * The predefined read-only actions, taken from {@link MailProxyConfiguration} as the proxy takes them, loaded by
 * {@link ProxyActionLoader} and run by {@link ProxyActionInspector}; and the sample conf's copy that adds the engines.
 * (James's own loaders load them in every end-to-end test: the proxy loads every action at boot.)
 */
class PredefinedProxyActionsTest {
    private static final InspectionContext IMAP = InspectionContext.builder(Protocol.IMAP, "imap-inbound")
        .user(Optional.of("bob@example.com"))
        .remoteAddress("192.0.2.7")
        .sessionId("session-1")
        .build();
    private static final InspectionContext SMTP = InspectionContext.builder(Protocol.SMTP, "smtp-submission")
        .remoteAddress("10.0.0.7")
        .sessionId("session-2")
        .build();

    private final List<ProxyAction> loaded = new ArrayList<>();

    @AfterEach
    void destroy() {
        loaded.forEach(ProxyAction::destroy);
    }

    private ProxyAction load(ProxyActionDefinition definition) throws Exception {
        ByClassName loader = new ByClassName();
        ProxyAction action = new ProxyActionLoader(loader, loader, FakeMailContext.defaultContext()).load(definition);
        loaded.add(action);
        return action;
    }

    private ProxyActionInspector predefined(String name) throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(new XMLConfiguration());
        return new ProxyActionInspector(load(configuration.getProxyActions().get(name)), OnError.DENY,
            new DropWizardMetricFactory(new MetricRegistry()));
    }

    private static MimeMessage parse(byte[] message) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
    }

    private static byte[] renamedExecutable() {
        return multipartMessage("b", textPart("see attached"),
            attachment(exe(), "Content-Type: application/pdf; name=report.pdf",
                "Content-Disposition: attachment; filename=report.pdf"));
    }

    @Test
    void everyPredefinedActionShouldLoadWithTheShippedMailets() throws Exception {
        for (String name : PredefinedProxyActions.NAMES) {
            ProxyAction action = load(MailProxyConfiguration.parse(new XMLConfiguration()).getProxyActions().get(name));

            assertThat(action.getName()).isEqualTo(name);
            assertThat(action.getSteps()).as(name).isNotEmpty();
        }
    }

    @Test
    void imapServerStandardShouldStripARenamedExecutableAndKeepThePartCount() throws Exception {
        InspectionResult result = predefined("IMAP-Server.Standard").inspect(IMAP, renamedExecutable());

        assertThat(result.getVerdict()).isEqualTo(Verdict.ALLOW);
        assertThat(result.isModified()).isTrue();
        MimeMessage stripped = parse(result.getContent().orElseThrow());
        MimeMultipart parts = (MimeMultipart) stripped.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("see attached");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContent().toString()).contains("application/x-msdownload");
        assertThat(stripped.getMessageID()).isEqualTo("<mime-test@example.com>");
    }

    @Test
    void imapServerStandardShouldLeaveACleanMessageUnchanged() throws Exception {
        byte[] clean = multipartMessage("b", textPart("hello"),
            attachment(pdf(), "Content-Type: application/pdf; name=a.pdf"),
            attachment(zip(Map.of("notes.txt", "plain text".getBytes(StandardCharsets.US_ASCII))),
                "Content-Type: application/zip; name=notes.zip"));

        assertThat(predefined("IMAP-Server.Standard").inspect(IMAP, clean)).isEqualTo(InspectionResult.unchanged());
    }

    @Test
    void imapServerStandardShouldStripInternalHeaders() throws Exception {
        byte[] message = ("X-Internal-Route: relay-7\r\nX-Originating-IP: [10.1.2.3]\r\nFrom: a@example.com\r\n"
            + "To: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n").getBytes(StandardCharsets.US_ASCII);

        InspectionResult result = predefined("IMAP-Server.Standard").inspect(IMAP, message);

        String text = new String(result.getContent().orElseThrow(), StandardCharsets.US_ASCII);
        assertThat(text).contains("Subject: hi", "hello").doesNotContain("X-Internal-Route", "X-Originating-IP");
    }

    @Test
    void clientAndIncomingActionsShouldStripAScriptInsideAnArchive() throws Exception {
        byte[] message = multipartMessage("b", textPart("hello"),
            attachment(zip(Map.of("docs/run.JS", "alert(1)".getBytes(StandardCharsets.US_ASCII))),
                "Content-Type: application/zip; name=docs.zip"));
        for (String name : List.of("IMAP-Client.Standard", "POP3-Client.Standard", "POP3-Server.Standard", "SMTP-Incoming.Standard")) {
            InspectionResult result = predefined(name).inspect(IMAP, message);

            assertThat(result.getVerdict()).as(name).isEqualTo(Verdict.ALLOW);
            MimeMultipart parts = (MimeMultipart) parse(result.getContent().orElseThrow()).getContent();
            assertThat(parts.getCount()).as(name).isEqualTo(2);
            assertThat(parts.getBodyPart(1).getContent().toString()).as(name).contains("run.JS");
        }
    }

    @Test
    void ambiguousMimeShouldBeDeniedAsUnscannable() throws Exception {
        byte[] twoBoundaries = message(
            "Content-Type: multipart/mixed; boundary=\"first\"; boundary=\"second\"",
            multipartBody("first", textPart("harmless"))
                + multipartBody("second",
                attachment(exe(), "Content-Type: application/octet-stream; name=p.bin")));

        InspectionResult result = predefined("SMTP-Incoming.Standard").inspect(SMTP, twoBoundaries);

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("unscannable"));
    }

    @Test
    void smtpOutgoingStandardShouldStripInternalHeadersAndLetAttachmentsThrough() throws Exception {
        byte[] message = multipartMessage("b", textPart("the tool"),
            attachment(exe(), "Content-Type: application/octet-stream; name=tool.exe"));
        byte[] withHeaders = ("X-Originating-IP: [10.1.2.3]\r\nX-MS-Exchange-Organization-AuthAs: Internal\r\n"
            + new String(message, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);

        InspectionResult result = predefined("SMTP-Outgoing.Standard").inspect(SMTP, withHeaders);

        String text = new String(result.getContent().orElseThrow(), StandardCharsets.US_ASCII);
        assertThat(text).doesNotContain("X-Originating-IP", "X-MS-Exchange-Organization-AuthAs")
            .contains("name=tool.exe", base64(exe()).substring(0, 40));
    }

    @Test
    void sampleConfScanningCopyShouldBeTheStandardActionPlusTheEngines() throws Exception {
        XMLConfiguration sample = new XMLConfiguration();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("sample-conf/mailproxy-reference.xml")) {
            new FileHandler(sample).load(in);
        }
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(sample);
        ProxyActionDefinition standard = configuration.getProxyActions().get("IMAP-Server.Standard");
        ProxyActionDefinition scanning = configuration.getProxyActions().get("IMAP-Server.Scanning");

        List<ProxyActionDefinition.MailetDefinition> standardMailets = standard.getMailets();
        List<ProxyActionDefinition.MailetDefinition> scanningMailets = scanning.getMailets();
        assertThat(scanningMailets).hasSize(standardMailets.size() + 2);
        for (int i = 0; i < standardMailets.size(); i++) {
            assertThat(scanningMailets.get(i).getClassName()).as("mailet " + i + " class")
                .isEqualTo(standardMailets.get(i).getClassName());
            assertThat(scanningMailets.get(i).getMatch()).as("mailet " + i + " match")
                .isEqualTo(standardMailets.get(i).getMatch());
            for (String key : List.of("patterns", "rules", "detectContentType", "scanArchives", "onUnscannable")) {
                assertThat(normalised(scanningMailets.get(i).getParameter(key).orElse(null))).as("mailet " + i + " " + key)
                    .isEqualTo(normalised(standardMailets.get(i).getParameter(key).orElse(null)));
            }
        }
        ProxyAction loadedScanning = load(scanning);
        assertThat(loadedScanning.getSteps()).extracting(step -> (Object) step.getMailet().getClass())
            .containsExactly(StripHeaders.class, ContentTypeRules.class, FilenameRules.class, AntivirusScan.class, SpamCheck.class);
    }

    /** Rules without the indentation of the file they are in. */
    private static String normalised(String value) {
        return value == null ? null : value.lines().map(String::strip).collect(java.util.stream.Collectors.joining("\n"));
    }

    /** Instantiates by class name and initialises, as James's Guice loaders do (short names: James's packages). */
    private static final class ByClassName implements MailetLoader, MatcherLoader {
        @Override
        public Mailet getMailet(MailetConfig config) throws MessagingException {
            Mailet mailet = (Mailet) instantiate(qualified("org.apache.james.transport.mailets.", config.getMailetName()));
            mailet.init(config);
            return mailet;
        }

        @Override
        public Matcher getMatcher(MatcherConfig config) throws MessagingException {
            Matcher matcher = (Matcher) instantiate(qualified("org.apache.james.transport.matchers.", config.getMatcherName()));
            matcher.init(config);
            return matcher;
        }

        private static String qualified(String defaultPackage, String name) {
            return name.contains(".") ? name : defaultPackage + name;
        }

        private static Object instantiate(String className) throws MessagingException {
            try {
                return Class.forName(className).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new MessagingException("Can not load " + className, e);
            }
        }
    }
}
