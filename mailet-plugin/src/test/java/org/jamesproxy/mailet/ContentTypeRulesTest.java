package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.mime.MimeSamples.CRLF;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.mail;
import static org.jamesproxy.mime.MimeSamples.message;
import static org.jamesproxy.mime.MimeSamples.multipartBody;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.pdf;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.mailet.MailetException;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.PartPath;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Test;

class ContentTypeRulesTest {
    static ContentTypeRules mailet(Map<String, String> parameters) throws Exception {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("ContentTypeRules")
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        ContentTypeRules mailet = new ContentTypeRules();
        mailet.init(config.build());
        return mailet;
    }

    static ContentTypeRules mailet(String rules) throws Exception {
        return mailet(Map.of("rules", rules));
    }

    private static List<Finding> findings(ContentTypeRules mailet, byte[] message) throws Exception {
        return mailet.findings(mail(message));
    }

    private static final byte[] MIXED = multipartMessage("b",
        textPart("hello"),
        attachment(pdf(), "Content-Type: application/pdf; name=a.pdf"),
        attachment("just bytes".getBytes(), "Content-Type: Application/X-MSDownload; name=b.dll"),
        attachment("<svg/>".getBytes(), "Content-Type: image/svg+xml"));

    @Test
    void exactTypeMatchesCaseInsensitivelyAtItsPart() throws Exception {
        List<Finding> findings = findings(mailet("application/x-msdownload = strip; */* = allow"), MIXED);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getCategory()).isEqualTo(Finding.Category.CONTENT_TYPE);
        assertThat(findings.get(0).getAction()).isEqualTo(RuleAction.STRIP);
        assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(2)));
        assertThat(findings.get(0).getType()).contains("application/x-msdownload");
        assertThat(findings.get(0).getFilename()).contains("b.dll");
    }

    @Test
    void wildcardSubtypeMatches() throws Exception {
        assertThat(findings(mailet("application/* = quarantine"), MIXED)).extracting(Finding::getPart)
            .containsExactly(PartPath.of(List.of(1)), PartPath.of(List.of(2)));
    }

    @Test
    void catchAllIsTheNoneMatchedRule() throws Exception {
        List<Finding> findings = findings(mailet("text/*, application/* = allow; */* = strip"), MIXED);

        assertThat(findings).extracting(Finding::getPart, Finding::getType)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(PartPath.of(List.of(3)), Optional.of("image/svg+xml")));
    }

    @Test
    void renamedExecutableIsCaughtByDetection() throws Exception {
        byte[] message = multipartMessage("b", textPart("the invoice"),
            attachment(exe(), "Content-Type: application/pdf; name=invoice.pdf"));

        List<Finding> findings = findings(mailet("application/pdf = allow; application/x-msdownload = deny; */* = allow"), message);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getAction()).isEqualTo(RuleAction.DENY);
        assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(1)));
        assertThat(findings.get(0).getType()).contains("application/x-msdownload");
        assertThat(findings.get(0).getReason()).contains("(detected)");
    }

    @Test
    void withoutDetectionOnlyTheDeclaredTypeCounts() throws Exception {
        byte[] message = multipartMessage("b", attachment(exe(), "Content-Type: application/pdf; name=invoice.pdf"));

        assertThat(findings(mailet(Map.of("rules", "application/x-msdownload = deny", "detectContentType", "false")), message))
            .isEmpty();
    }

    @Test
    void realPdfIsNotFlagged() throws Exception {
        byte[] message = multipartMessage("b", attachment(pdf(), "Content-Type: application/pdf; name=invoice.pdf"));

        assertThat(findings(mailet("application/x-msdownload = deny; */* = allow"), message)).isEmpty();
    }

    @Test
    void typesInsideArchivesAreDetected() throws Exception {
        byte[] message = multipartMessage("b", attachment(zip(Map.of("inner.zip", zip(Map.of("tool.bin", exe())))),
            "Content-Type: application/zip; name=archive.zip"));

        List<Finding> findings = findings(mailet("application/x-msdownload = strip; */* = allow"), message);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(0)));
        assertThat(findings.get(0).getReason()).contains("archive entry inner.zip/tool.bin");
        assertThat(findings(mailet(Map.of("rules", "application/x-msdownload = strip", "scanArchives", "false")), message)).isEmpty();
    }

    /** amavis CVE-2024-28054: the scanner and the client took different boundaries. */
    @Test
    void twoBoundariesAreUnscannableAndDeniedByDefault() throws Exception {
        byte[] message = message("Content-Type: multipart/mixed; boundary=\"first\"; boundary=\"second\"",
            multipartBody("first", textPart("harmless"))
                + multipartBody("second", attachment(exe(), "Content-Type: application/x-msdownload; name=p.exe")));

        List<Finding> findings = findings(mailet("application/x-msdownload = strip; */* = allow"), message);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getCategory()).isEqualTo(Finding.Category.UNSCANNABLE);
        assertThat(findings.get(0).getAction()).isEqualTo(RuleAction.DENY);
        assertThat(findings.get(0).getReason()).contains("several different boundary parameters");
    }

    @Test
    void depthBoundMakesTheMessageUnscannable() throws Exception {
        String body = textPart("bottom");
        for (int level = 0; level < 4; level++) {
            body = "Content-Type: multipart/mixed; boundary=\"l" + level + "\"" + CRLF + CRLF + multipartBody("l" + level, body);
        }
        byte[] message = ("Subject: deep" + CRLF + body).getBytes();

        assertThat(findings(mailet(Map.of("rules", "*/* = allow", "maxDepth", "3")), message))
            .extracting(Finding::getCategory).containsExactly(Finding.Category.UNSCANNABLE);
        assertThat(findings(mailet(Map.of("rules", "*/* = allow", "maxDepth", "4")), message)).isEmpty();
    }

    @Test
    void brokenBase64IsUnscannable() throws Exception {
        byte[] message = multipartMessage("b", String.join(CRLF, "Content-Type: application/pdf",
            "Content-Transfer-Encoding: base64", "", "aGk=", "TVqQAAMAAAAEAAAA"));

        assertThat(findings(mailet("*/* = allow"), message)).extracting(Finding::getCategory, Finding::getAction)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Category.UNSCANNABLE, RuleAction.DENY));
    }

    @Test
    void patternsMustBeTypeSlashSubtype() {
        assertThatThrownBy(() -> mailet("exe = strip"))
            .isInstanceOf(MailetException.class)
            .hasMessageContaining("ContentTypeRules")
            .hasMessageContaining("'rules'")
            .hasMessageContaining("pattern 'exe'");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*/* = allow", "detectContentType", "maybe")))
            .hasMessageContaining("'detectContentType'").hasMessageContaining("'maybe'");
    }
}
