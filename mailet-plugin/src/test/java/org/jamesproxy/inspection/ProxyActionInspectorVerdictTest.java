package org.jamesproxy.inspection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.inspection.TestSteps.always;
import static org.jamesproxy.inspection.TestSteps.mailet;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.Multipart;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.jamesproxy.mailet.ProxyVerdict;
import org.jamesproxy.mailet.action.CannedFindingsRule;
import org.jamesproxy.mailet.action.Finding;
import org.jamesproxy.mailet.action.PartPath;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every verdict through the whole pipeline: rule mailet → attributes → InspectionResult, and strip on the wire bytes. */
class ProxyActionInspectorVerdictTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T08:09:10Z"), ZoneOffset.UTC);
    private static final InspectionContext POP3 = InspectionContext.builder(Protocol.POP3, "pop3-inbound")
        .user(Optional.of("bob@example.com"))
        .remoteAddress("10.0.0.7")
        .sessionId("session-1")
        .build();
    private static final String MIXED = String.join("\r\n",
        "Received: from mx.example.com by proxy; Tue, 5 Mar 2024 08:00:00 +0000",
        "From: alice@example.com",
        "To: bob@example.com",
        "Subject: invoice",
        "Date: Tue, 5 Mar 2024 08:00:00 +0000",
        "Message-ID: <original-1@example.com>",
        "X-Custom:   kept   as is",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "--outer",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Please find the invoice attached.",
        "--outer",
        "Content-Type: application/x-msdownload; name=\"invoice.exe\"",
        "Content-Disposition: attachment; filename=\"invoice.exe\"",
        "Content-Transfer-Encoding: base64",
        "",
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "--outer--",
        "");

    private RecordingMetricFactory metrics;

    @BeforeEach
    void setUp() {
        metrics = new RecordingMetricFactory();
    }

    private InspectionResult inspect(CannedFindingsRule rule, Map<String, String> parameters) throws Exception {
        ProxyActionInspector inspector = new ProxyActionInspector(
            ProxyAction.of("test", List.of(always(mailet(rule, "Rule", parameters)), always(mailet(new FailIfReached(), "After")))),
            OnError.DENY, metrics, CLOCK);
        return inspector.inspect(POP3, MIXED.getBytes(UTF_8));
    }

    /** Proves that processing stopped: reaching it would turn any verdict into an error. */
    static final class FailIfReached extends org.apache.mailet.base.GenericMailet {
        @Override
        public void service(org.apache.mailet.Mail mail) {
            throw new IllegalStateException("a step after a refusal ran");
        }
    }

    private static Finding finding(RuleAction action) {
        return Finding.builder(Finding.Category.VIRUS, action, "Virus found: EICAR").virus("EICAR").build();
    }

    @Test
    void tempfailShouldGiveATempfailResultWithTheNotice() throws Exception {
        InspectionResult result = inspect(new CannedFindingsRule(finding(RuleAction.TEMPFAIL)), Map.of());

        assertThat(result.getVerdict()).isEqualTo(Verdict.TEMPFAIL);
        assertThat(result.getReason()).contains("Virus found: EICAR");
        assertThat(new String(result.getContent().orElseThrow(), UTF_8)).contains("Subject: [Denied] invoice");
        assertThat(metrics.countFor(ProxyActionInspector.TEMPFAILED)).isEqualTo(1);
    }

    @Test
    void dropAndBlockShouldHaveNoContent() throws Exception {
        InspectionResult dropped = inspect(new CannedFindingsRule(finding(RuleAction.DROP)), Map.of());
        InspectionResult blocked = inspect(new CannedFindingsRule(finding(RuleAction.BLOCK)), Map.of());

        assertThat(dropped).isEqualTo(InspectionResult.dropped("Virus found: EICAR"));
        assertThat(blocked).isEqualTo(InspectionResult.blocked("Virus found: EICAR"));
        assertThat(metrics.countFor(ProxyActionInspector.DROPPED)).isEqualTo(1);
        assertThat(metrics.countFor(ProxyActionInspector.BLOCKED)).isEqualTo(1);
    }

    @Test
    void denyShouldUseTheConfiguredDenyMessageInTheNotice() throws Exception {
        InspectionResult result = inspect(new CannedFindingsRule(finding(RuleAction.DENY)),
            Map.of("denyMessage", "Subject: Virus alert: %(virus)%\\nThe message was %(action)%: %(reason)%."));

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        MimeMessage notice = new MimeMessage(null, new ByteArrayInputStream(result.getContent().orElseThrow()));
        assertThat(notice.getSubject()).isEqualTo("Virus alert: EICAR");
        assertThat(notice.getMessageID()).isEqualTo("<original-1@example.com>");
        assertThat(notice.getHeader(DenyNotice.DENIED_HEADER, null)).isEqualTo("Virus found: EICAR");
        assertThat(((String) notice.getContent()).trim()).isEqualTo("The message was denied: Virus found: EICAR.");
    }

    @Test
    void proxyVerdictShouldAcceptTheNewWords() throws Exception {
        for (Verdict verdict : List.of(Verdict.TEMPFAIL, Verdict.DROP, Verdict.BLOCK)) {
            ProxyActionInspector inspector = new ProxyActionInspector(ProxyAction.of("test",
                List.of(always(mailet(new ProxyVerdict(), "ProxyVerdict", Map.of("verdict", verdict.value()))))),
                OnError.DENY, metrics, CLOCK);

            InspectionResult result = inspector.inspect(POP3, MIXED.getBytes(UTF_8));

            assertThat(result.getVerdict()).isEqualTo(verdict);
            assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).endsWith("by ProxyVerdict"));
        }
    }

    @Test
    void anUnknownVerdictWordShouldBeHandledAsAMailetError() throws Exception {
        ProxyActionInspector inspector = new ProxyActionInspector(ProxyAction.of("test",
            List.of(always(mailet(new TestSteps.LambdaMailet(mail ->
                mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT, AttributeValue.of("quarantine")))), "Typo")))),
            OnError.DENY, metrics, CLOCK);

        InspectionResult result = inspector.inspect(POP3, MIXED.getBytes(UTF_8));

        assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
        assertThat(result.getReason()).hasValueSatisfying(reason -> assertThat(reason).contains("mailet Typo"));
    }

    @Test
    void stripShouldChangeOnlyTheBodyOnTheWireAndKeepTheHeaders() throws Exception {
        Finding exe = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "executable attachment")
            .part(PartPath.of(List.of(1))).filename("invoice.exe").build();

        ProxyActionInspector inspector = new ProxyActionInspector(
            ProxyAction.of("test", List.of(always(mailet(new CannedFindingsRule(exe), "Rule", Map.of("alarm", "false"))))),
            OnError.DENY, metrics, CLOCK);

        InspectionResult result = inspector.inspect(POP3, MIXED.getBytes(UTF_8));

        assertThat(result.getVerdict()).isEqualTo(Verdict.ALLOW);
        String wire = new String(result.getContent().orElseThrow(), UTF_8);
        String originalHeaders = MIXED.substring(0, MIXED.indexOf("\r\n\r\n") + 4);
        assertThat(wire).startsWith(originalHeaders);
        assertThat(wire).doesNotContain("TVqQAAMAAAAEAAAA").contains("--outer\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "Please find the invoice attached.\r\n--outer\r\n");
        MimeMessage parsed = new MimeMessage(null, new ByteArrayInputStream(result.getContent().get()));
        assertThat(((Multipart) parsed.getContent()).getCount()).isEqualTo(2);
        assertThat(((Multipart) parsed.getContent()).getBodyPart(1).getFileName()).isEqualTo("invoice.exe.txt");
        assertThat(metrics.countFor(ProxyActionInspector.MODIFIED)).isEqualTo(1);
    }
}
