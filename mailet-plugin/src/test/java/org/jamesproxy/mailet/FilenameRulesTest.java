package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.mail;
import static org.jamesproxy.mime.MimeSamples.message;
import static org.jamesproxy.mime.MimeSamples.multipartBody;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.pdf;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.mailet.Mail;
import org.apache.mailet.MailetException;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.PartPath;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Test;

class FilenameRulesTest {
    static FilenameRules mailet(Map<String, String> parameters) throws Exception {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("FilenameRules")
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        FilenameRules mailet = new FilenameRules();
        mailet.init(config.build());
        return mailet;
    }

    static FilenameRules mailet(String rules) throws Exception {
        return mailet(Map.of("rules", rules));
    }

    private static List<Finding> findings(FilenameRules mailet, byte[] message) throws Exception {
        return mailet.findings(mail(message));
    }

    private static String named(String... headers) {
        return attachment(pdf(), headers);
    }

    @Test
    void matchingAttachmentIsStrippedAtItsPart() throws Exception {
        byte[] message = multipartMessage("b", textPart("hi"),
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"report.pdf\""),
            named("Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"SETUP.EXE\""));

        List<Finding> findings = findings(mailet("*.exe, *.scr = strip; * = allow"), message);

        assertThat(findings).hasSize(1);
        Finding finding = findings.get(0);
        assertThat(finding.getCategory()).isEqualTo(Finding.Category.FILENAME);
        assertThat(finding.getAction()).isEqualTo(RuleAction.STRIP);
        assertThat(finding.getPart()).isEqualTo(PartPath.of(List.of(2)));
        assertThat(finding.getFilename()).contains("SETUP.EXE");
        assertThat(finding.getReason()).contains("SETUP.EXE").contains("part 3").contains("*.exe, *.scr = strip");
    }

    @Test
    void firstMatchingRuleWinsAndUnmatchedNamesAreAllowed() throws Exception {
        byte[] message = multipartMessage("b",
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"invoice-12.scr\""),
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"notes.scr\""),
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"notes.txt\""));

        List<Finding> findings = findings(mailet("invoice*.scr = quarantine; *.scr = strip"), message);

        assertThat(findings).extracting(Finding::getAction, Finding::getPart).containsExactly(
            org.assertj.core.groups.Tuple.tuple(RuleAction.QUARANTINE, PartPath.of(List.of(0))),
            org.assertj.core.groups.Tuple.tuple(RuleAction.STRIP, PartPath.of(List.of(1))));
    }

    @Test
    void questionMarkMatchesOneCharacter() throws Exception {
        byte[] message = multipartMessage("b",
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"a1.js\""),
            named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=\"a12.js\""));

        assertThat(findings(mailet("a?.js = deny"), message)).extracting(Finding::getPart)
            .containsExactly(PartPath.of(List.of(0)));
    }

    @Test
    void rfc2231ContinuationWithCharsetIsDecoded() throws Exception {
        byte[] message = multipartMessage("b", named("Content-Type: application/octet-stream",
            "Content-Disposition: attachment;",
            " filename*0*=utf-8''%D1%81%D1%87%D0%B5%D1%82;",
            " filename*1*=%2Dnr1;",
            " filename*2=\".exe\""));

        List<Finding> findings = findings(mailet("\u0441\u0447\u0435\u0442-*.exe = deny"), message);

        assertThat(findings).extracting(Finding::getFilename).containsExactly(java.util.Optional.of("\u0441\u0447\u0435\u0442-nr1.exe"));
    }

    @Test
    void rfc2047QEncodedNameIsDecoded() throws Exception {
        byte[] message = multipartMessage("b",
            named("Content-Type: application/octet-stream; name=\"=?ISO-8859-1?Q?r=E9sum=E9.exe?=\""));

        assertThat(findings(mailet("r\u00e9sum\u00e9.exe = strip"), message)).hasSize(1);
    }

    @Test
    void rfc2047BEncodedFilenameIsDecoded() throws Exception {
        // "invoice.scr"
        byte[] message = multipartMessage("b", named("Content-Type: application/octet-stream",
            "Content-Disposition: attachment; filename=\"=?UTF-8?B?aW52b2ljZS5zY3I=?=\""));

        assertThat(findings(mailet("*.scr = strip"), message)).extracting(Finding::getFilename)
            .containsExactly(java.util.Optional.of("invoice.scr"));
    }

    @Test
    void conflictingNameParametersAnyMatchCounts() throws Exception {
        byte[] nameVsFilename = multipartMessage("b", named("Content-Type: application/pdf; name=\"payload.exe\"",
            "Content-Disposition: attachment; filename=\"payload.pdf\""));
        byte[] filenameVsExtended = multipartMessage("b", named("Content-Type: application/pdf",
            "Content-Disposition: attachment; filename=\"payload.pdf\"; filename*=UTF-8''payload.exe"));

        FilenameRules mailet = mailet("*.pdf = allow; *.exe = strip");

        assertThat(findings(mailet, nameVsFilename)).extracting(Finding::getFilename).containsExactly(java.util.Optional.of("payload.exe"));
        assertThat(findings(mailet, filenameVsExtended)).extracting(Finding::getFilename).containsExactly(java.util.Optional.of("payload.exe"));
    }

    @Test
    void namesInNestedArchivesAreMatchedAndActOnTheArchivePart() throws Exception {
        Map<String, byte[]> inner = new LinkedHashMap<>();
        inner.put("docs/Invoice.SCR", exe());
        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("readme.txt", "hi".getBytes());
        outer.put("more.zip", zip(inner));
        byte[] message = multipartMessage("b", textPart("see attached"),
            attachment(zip(outer), "Content-Type: application/zip", "Content-Disposition: attachment; filename=bundle.zip"));

        List<Finding> findings = findings(mailet("invoice*.scr = strip; * = allow"), message);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(1)));
        assertThat(findings.get(0).getFilename()).contains("Invoice.SCR");
        assertThat(findings.get(0).getReason()).contains("archive entry more.zip/docs/Invoice.SCR");
    }

    @Test
    void archivesAreNotOpenedWhenScanArchivesIsFalse() throws Exception {
        byte[] message = multipartMessage("b", attachment(zip(Map.of("evil.exe", exe())), "Content-Type: application/zip"));

        assertThat(findings(mailet(Map.of("rules", "*.exe = strip", "scanArchives", "false")), message)).isEmpty();
        assertThat(findings(mailet(Map.of("rules", "*.exe = strip")), message)).hasSize(1);
    }

    @Test
    void zipBombIsUnscannableAndDeniedByDefault() throws Exception {
        byte[] bomb = zip(Map.of("zeros.bin", new byte[8 << 20]));
        byte[] message = multipartMessage("b", attachment(bomb, "Content-Type: application/zip; name=bomb.zip"));

        List<Finding> findings = findings(mailet(Map.of("rules", "*.exe = strip", "maxDecodedSize", "1M")), message);

        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).getCategory()).isEqualTo(Finding.Category.UNSCANNABLE);
        assertThat(findings.get(0).getAction()).isEqualTo(RuleAction.DENY);
        assertThat(findings.get(0).getPart()).isEqualTo(PartPath.of(List.of(0)));
        assertThat(findings.get(0).getReason()).contains("maxDecodedSize");
    }

    @Test
    void onUnscannableChoosesTheAction() throws Exception {
        byte[] message = message("Content-Type: multipart/mixed; boundary=\"a\"; boundary=\"b\"", multipartBody("a", textPart("x")));

        assertThat(findings(mailet(Map.of("rules", "*.exe = strip", "onUnscannable", "quarantine")), message))
            .extracting(Finding::getAction).containsExactly(RuleAction.QUARANTINE);
        assertThat(findings(mailet(Map.of("rules", "*.exe = strip", "onUnscannable", "allow")), message)).isEmpty();
    }

    @Test
    void serviceDeniesTheMessageThroughTheExecutor() throws Exception {
        byte[] message = multipartMessage("b", named("Content-Type: application/pdf", "Content-Disposition: attachment; filename=x.exe"));
        Mail mail = mail(message);

        mailet("*.exe = deny").service(mail);

        assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT).map(attribute -> String.valueOf(attribute.getValue().value())))
            .contains("deny");
        assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT_REASON).map(attribute -> String.valueOf(attribute.getValue().value())))
            .hasValueSatisfying(reason -> assertThat(reason).contains("x.exe"));
    }

    @Test
    void cleanMessageIsLeftAlone() throws Exception {
        Mail mail = mail(multipartMessage("b", textPart("hello"), named("Content-Type: application/pdf; name=a.pdf")));

        mailet("*.exe = deny; * = allow").service(mail);

        assertThat(mail.attributeNames()).doesNotContain(ProxyMailAttributes.VERDICT);
    }

    @Test
    void initErrorsNameMailetParameterAndValue() {
        assertThatThrownBy(() -> mailet(Map.of()))
            .isInstanceOf(MailetException.class).hasMessageContaining("FilenameRules").hasMessageContaining("'rules'");
        assertThatThrownBy(() -> mailet("*.exe = zap"))
            .hasMessageContaining("FilenameRules").hasMessageContaining("'rules'").hasMessageContaining("zap");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*.exe = strip", "maxDepth", "deep")))
            .hasMessageContaining("FilenameRules").hasMessageContaining("'maxDepth'").hasMessageContaining("'deep'");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*.exe = strip", "maxDecodedSize", "-3")))
            .hasMessageContaining("'maxDecodedSize'").hasMessageContaining("'-3'");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*.exe = strip", "onUnscannable", "maybe")))
            .hasMessageContaining("'onUnscannable'").hasMessageContaining("'maybe'");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*.exe = strip", "scanArchives", "sometimes")))
            .hasMessageContaining("'scanArchives'").hasMessageContaining("'sometimes'");
        assertThatThrownBy(() -> mailet(Map.of("rules", "*.exe = strip", "detectContentType", "true")))
            .hasMessageContaining("detectContentType");
    }

    @Test
    void anExceptionWhileReadingBecomesAnUnscannableFindingWithOnUnscannable() throws Exception {
        Mail mail = org.apache.mailet.base.test.FakeMail.builder().name("broken")
            .mimeMessage(new javax.mail.internet.MimeMessage((javax.mail.Session) null) {
                @Override
                public java.util.Enumeration<String> getAllHeaderLines() {
                    // A bug or a decoder's runtime exception: what the scanner does not turn into "unscannable" itself.
                    throw new IllegalStateException("header section unreadable");
                }
            }).build();

        List<Finding> findings = mailet(Map.of("rules", "*.exe = strip; * = allow", "onUnscannable", "block")).inspect(mail);

        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.getCategory()).isEqualTo(Finding.Category.UNSCANNABLE);
            assertThat(finding.getAction()).isEqualTo(RuleAction.BLOCK);
            assertThat(finding.getReason()).contains("header section unreadable");
        });
    }
    @Test
    void uuencodedFileInATextPartIsMatchedByName() throws Exception {
        byte[] message = multipartMessage("b", textPart("see\r\nbegin 644 run.exe\r\n#0V%T\r\n`\r\nend"));

        assertThat(findings(mailet("*.exe = strip; * = allow"), message)).singleElement().satisfies(finding -> {
            assertThat(finding.getPart()).isEqualTo(PartPath.of(List.of(0)));
            assertThat(finding.getReason()).contains("uuencoded file run.exe");
        });
    }

    @Test
    void allowUuencodeFalseStripsTheTextPartCarryingOne() throws Exception {
        byte[] message = multipartMessage("b", textPart("see\r\nbegin 644 notes.txt\r\n#0V%T\r\n`\r\nend"), textPart("plain"));

        assertThat(findings(mailet("*.exe = strip; * = allow"), message)).isEmpty();
        List<Finding> findings = findings(mailet(Map.of("rules", "*.exe = strip; * = allow", "allowUuencode", "false")), message);
        assertThat(findings).singleElement().satisfies(finding -> {
            assertThat(finding.getAction()).isEqualTo(RuleAction.STRIP);
            assertThat(finding.getPart()).isEqualTo(PartPath.of(List.of(0)));
            assertThat(finding.getReason()).contains("uuencoded files are not allowed");
        });
        assertThat(findings(mailet(Map.of("rules", "* = allow", "allowYenc", "false", "allowBinhex", "false")), message)).isEmpty();
    }
    @Test
    void unbalancedQuoteThatJavaxMailCannotParseWhenStrippingDeniesByDesign() throws Exception {
        // The scanner reads boundary "b"; javax.mail's ContentType throws "Unbalanced quoted string" in the strip.
        Mail mail = mail(message("Content-Type: multipart/mixed; boundary=\"b",
            multipartBody("b", textPart("hi"), named("Content-Type: application/octet-stream; name=setup.exe"))));

        mailet("*.exe = strip; * = allow").service(mail);

        assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT).map(attribute -> String.valueOf(attribute.getValue().value())))
            .contains("deny");
        assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT_REASON).map(attribute -> String.valueOf(attribute.getValue().value())))
            .hasValueSatisfying(reason -> assertThat(reason).contains("setup.exe").contains("unscannable message"));
    }
}
