package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.message;
import static org.jamesproxy.mime.MimeSamples.multipartBody;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.pdf;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.io.StringReader;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamesproxy.mailet.ContentTypeRules;
import org.jamesproxy.mailet.FilenameRules;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MIME rule mailets in a proxy action, loaded from the same XML an admin writes in mailetcontainer.xml. */
class MimeRulesInProxyActionTest {
    private static final InspectionContext IMAP = InspectionContext.builder(Protocol.IMAP, "imap-inbound")
        .user(Optional.of("bob@example.com"))
        .remoteAddress("10.0.0.7")
        .sessionId("session-1")
        .build();

    private static final String ACTION = "<proxyActions><action name=\"IMAP-Server.Standard\">"
        + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>"
        + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.ContentTypeRules\">"
        + "  <rules>\n"
        + "    application/x-msdownload, application/x-dosexec = deny\n"
        + "    */* = allow\n"
        + "  </rules>"
        + "  <detectContentType>true</detectContentType>"
        + "</mailet>"
        + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.FilenameRules\">"
        + "  <rules>*.scr, *.js = deny; * = allow</rules>"
        + "  <maxArchiveDepth>2</maxArchiveDepth>"
        + "</mailet>"
        + "</action></proxyActions>";

    private ProxyActionInspector inspector;

    @BeforeEach
    void setUp() throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader(ACTION));
        MimeRulesInProxyActionTestLoader loader = new MimeRulesInProxyActionTestLoader();
        ProxyAction action = new ProxyActionLoader(loader, loader, FakeMailContext.defaultContext())
            .load(ProxyActionDefinition.parse("IMAP-Server.Standard", xml.configurationAt("action")));
        assertThat(action.getSteps()).extracting(step -> (Object) step.getMailet().getClass())
            .containsExactly(org.jamesproxy.mailet.StripHeaders.class, ContentTypeRules.class, FilenameRules.class);
        inspector = new ProxyActionInspector(action, OnError.DENY, new RecordingMetricFactory());
    }

    @Test
    void cleanMessagePassesUnchanged() {
        byte[] message = multipartMessage("b", textPart("hello"), attachment(pdf(), "Content-Type: application/pdf; name=a.pdf"));

        assertThat(inspector.inspect(IMAP, message)).isEqualTo(InspectionResult.unchanged());
    }

    @Test
    void renamedExecutableIsDenied() {
        byte[] message = multipartMessage("b", textPart("hello"), attachment(exe(), "Content-Type: application/pdf; name=a.pdf"));

        InspectionResult result = inspector.inspect(IMAP, message);

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason)
            .contains("application/x-msdownload (detected)").contains("part 2"));
    }

    @Test
    void scriptInAnArchiveIsDenied() {
        byte[] message = multipartMessage("b", attachment(zip(Map.of("run.JS", "alert(1)".getBytes())),
            "Content-Type: application/zip; name=a.zip"));

        InspectionResult result = inspector.inspect(IMAP, message);

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("run.JS"));
    }

    @Test
    void cve202428054MessageIsDenied() {
        byte[] message = message("Content-Type: multipart/mixed; boundary=\"first\"; boundary=\"second\"",
            multipartBody("first", textPart("harmless"))
                + multipartBody("second", attachment(exe(), "Content-Type: application/octet-stream; name=p.bin")));

        InspectionResult result = inspector.inspect(IMAP, message);

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("unscannable"));
    }
}
