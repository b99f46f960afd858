package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamesproxy.engine.clamav.ClamdResult;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.TestSignatures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each hostile MIME construction of issue 13 through the scanning action of the measurement (StripHeaders,
 * ContentTypeRules, FilenameRules, AntivirusScan) with a real clamd: the EICAR one is stopped, the clean sibling
 * passes byte-identical. Constructions declared unscannable are denied in both forms, their well-formed sibling passes.
 */
class HostileMimeProxyActionTest {
    @RegisterExtension
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    private static final InspectionContext POP3 = InspectionContext.builder(Protocol.POP3, "pop3-inbound")
        .user(Optional.of("bob@example.com"))
        .remoteAddress("10.0.0.7")
        .sessionId("session-1")
        .build();

    private ProxyActionInspector inspector;

    private static String action() {
        return "<proxyActions><action name=\"POP3-Server.Scanning\">"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-</patterns></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.ContentTypeRules\">"
            + "  <rules>application/x-msdownload, application/x-dosexec = deny; */* = allow</rules>"
            + "  <detectContentType>true</detectContentType>"
            + "</mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.FilenameRules\"><rules>*.exe, *.com, *.scr = deny; * = allow</rules></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "  <host>" + clamd.host() + "</host><port>" + clamd.port() + "</port><timeout>10s</timeout>"
            + "  <onVirus>strip</onVirus><addHeaders>false</addHeaders>"
            + "</mailet>"
            + "</action></proxyActions>";
    }

    @BeforeEach
    void setUp() throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader(action()));
        MimeRulesInProxyActionTestLoader loader = new MimeRulesInProxyActionTestLoader();
        ProxyAction action = new ProxyActionLoader(loader, loader, FakeMailContext.defaultContext())
            .load(ProxyActionDefinition.parse("POP3-Server.Scanning", xml.configurationAt("action")));
        inspector = new ProxyActionInspector(action, OnError.DENY, new RecordingMetricFactory());
    }

    @ParameterizedTest
    @EnumSource(HostileMimeConstructions.class)
    void eicarInTheConstructionIsStopped(HostileMimeConstructions construction) {
        byte[] message = construction.infected();

        InspectionResult result = inspector.inspect(POP3, message);

        if (result.getVerdict() == Verdict.ALLOW) {
            // Stripped: what goes on must no longer hold the archive, read by clamd or by the proxy's own reading.
            assertThat(result.isModified()).as("%s passed unmodified", construction).isTrue();
            byte[] output = result.getContent().orElseThrow();
            assertThat(inspector.inspect(POP3, output)).as("%s after stripping", construction).isEqualTo(InspectionResult.unchanged());
            assertThat(clamd.client().scan(output, 10_000_000).getStatus()).isEqualTo(ClamdResult.Status.CLEAN);
        } else {
            assertThat(result.getVerdict()).as("%s", construction).isEqualTo(Verdict.DENY);
        }
        if (!construction.isNormalised()) {
            assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("unscannable"));
        } else {
            // Denied (no part javax.mail can cut out) or stripped: either way for the virus the lenient reading found.
            String said = result.getVerdict() == Verdict.ALLOW
                ? new String(result.getContent().orElseThrow(), StandardCharsets.ISO_8859_1)
                : result.getReason().orElseThrow();
            assertThat(said).as("%s is stopped for the virus", construction).contains(TestSignatures.EICAR_BODY_SIGNATURE);
        }
    }

    @ParameterizedTest
    @EnumSource(HostileMimeConstructions.class)
    void cleanSiblingPassesByteIdenticalOrIsUnscannable(HostileMimeConstructions construction) {
        InspectionResult result = inspector.inspect(POP3, construction.clean());

        if (construction.isNormalised()) {
            assertThat(result).as("%s", construction).isEqualTo(InspectionResult.unchanged());
        } else {
            assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
            assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("unscannable"));
        }
    }

    @org.junit.jupiter.api.Test
    void wellFormedSiblingOfTheInterleavedBoundaryPasses() {
        String message = new String(HostileMimeConstructions.OUTER_BOUNDARY_INSIDE_INNER_MULTIPART.clean(), StandardCharsets.ISO_8859_1)
            // the inner multipart closed before the outer part that interrupted it, the rest as a part of the outer one
            .replace("see attachment\r\n--outer", "see attachment\r\n--inner--\r\n--outer")
            .replace("filler\r\n--inner\r\n", "filler\r\n--outer\r\n")
            .replace("--inner--\r\n--outer--", "--outer--");

        assertThat(inspector.inspect(POP3, message.getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(InspectionResult.unchanged());
    }
}
