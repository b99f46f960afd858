package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.MessageFixtures.MULTIPART;
import static org.jamesproxy.MessageFixtures.SIMPLE;
import static org.jamesproxy.MessageFixtures.bodyOf;
import static org.jamesproxy.MessageFixtures.bytes;
import static org.jamesproxy.MessageFixtures.hasOnlyCrlfLineEndings;
import static org.jamesproxy.MessageFixtures.headerOf;
import static org.jamesproxy.MessageFixtures.parse;
import static org.jamesproxy.MessageFixtures.without;
import static org.jamesproxy.inspection.TestSteps.always;
import static org.jamesproxy.inspection.TestSteps.mailet;
import static org.jamesproxy.inspection.TestSteps.matcher;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.transport.mailets.Null;
import org.apache.james.transport.mailets.RemoveMimeHeader;
import org.apache.james.transport.mailets.ToProcessor;
import org.apache.james.transport.matchers.HasAttachment;
import org.apache.james.transport.matchers.HasHeader;
import org.apache.james.transport.matchers.HasMailAttributeWithValue;
import org.apache.james.transport.matchers.RecipientIs;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.GenericMatcher;
import org.jamesproxy.mailet.ProxyVerdict;
import org.jamesproxy.mailet.StripHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProxyActionInspectorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-05T08:09:10Z"), ZoneOffset.UTC);
    private static final InspectionContext IMAP = InspectionContext.builder(Protocol.IMAP, "imap-inbound")
        .user(Optional.of("bob@example.com"))
        .remoteAddress("10.0.0.7")
        .sessionId("session-1")
        .build();

    private RecordingMetricFactory metricFactory;

    @BeforeEach
    void setUp() {
        metricFactory = new RecordingMetricFactory();
    }

    private ProxyActionInspector inspector(OnError onError, ProxyAction.Step... steps) {
        return new ProxyActionInspector(ProxyAction.of("test-action", List.of(steps)), onError, metricFactory, CLOCK);
    }

    private ProxyActionInspector inspector(ProxyAction.Step... steps) {
        return inspector(OnError.DENY, steps);
    }

    private static ProxyAction.Step when(String hasHeaderCondition, Mailet mailet) throws Exception {
        return ProxyAction.Step.matching(matcher(new HasHeader(), "HasHeader", hasHeaderCondition), mailet);
    }

    private static Mailet stripHeaders(String patterns) throws Exception {
        return mailet(new StripHeaders(), "StripHeaders", Map.of("patterns", patterns));
    }

    private static Mailet removeMimeHeader(String name) throws Exception {
        return mailet(new RemoveMimeHeader(), "RemoveMimeHeader", Map.of("name", name));
    }

    private static Mailet deny(String reason) throws Exception {
        return mailet(new ProxyVerdict(), "ProxyVerdict", Map.of("reason", reason));
    }

    private static Mailet lambda(TestSteps.MailAction action) throws Exception {
        return mailet(new TestSteps.LambdaMailet(action), "Lambda");
    }

    @Nested
    class Unchanged {
        @Test
        void inspectShouldReturnUnchangedWhenTheActionIsEmpty() {
            ProxyActionInspector inspector = new ProxyActionInspector(ProxyAction.empty("none"), OnError.DENY, metricFactory);

            assertThat(inspector.inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldReturnUnchangedWhenMailetsOnlyReadTheMessage() throws Exception {
            ProxyActionInspector inspector = inspector(
                always(mailet(new ProxyVerdict(), "ProxyVerdict", Map.of("verdict", "allow"))),
                always(lambda(mail -> {
                    mail.getMessage().getSubject();
                    mail.getMessage().getContent();
                    mail.getMessageSize();
                })));

            assertThat(inspector.inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldNotRunTheMailetWhenTheMatcherDoesNotMatch() throws Exception {
            ProxyActionInspector inspector = inspector(
                when("X-Absent", mailet(new Null(), "Null")),
                when("X-Absent", removeMimeHeader("X-Secret")));

            assertThat(inspector.inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldReturnUnchangedWhenNothingMatchesTheStripPatterns() throws Exception {
            assertThat(inspector(always(stripHeaders("^X-Absent$"))).inspect(IMAP, SIMPLE))
                .isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldReturnUnchangedWhenAMailetSavesAnIdenticalMessage() throws Exception {
            // saveChanges() marks the headers modified; the result is compared with the original before reporting it.
            ProxyActionInspector inspector = inspector(always(lambda(mail -> mail.getMessage().saveChanges())));

            assertThat(inspector.inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
            assertThat(inspector.inspect(IMAP, MULTIPART)).isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldGiveMailetsTheMessageSizes() throws Exception {
            List<Long> sizes = new ArrayList<>();
            ProxyActionInspector inspector = inspector(always(lambda(mail -> {
                sizes.add(mail.getMessageSize());
                sizes.add((long) mail.getMessage().getSize());
            })));

            inspector.inspect(IMAP, SIMPLE);

            assertThat(sizes).containsExactly((long) SIMPLE.length, (long) bodyOf(SIMPLE).length);
        }
    }

    @Nested
    class Modified {
        @Test
        void inspectShouldRemoveOnlyTheStrippedHeaderLines() throws Exception {
            InspectionResult result = inspector(always(stripHeaders("^X-Secret$, ^X-Internal-"))).inspect(IMAP, SIMPLE);

            assertThat(result.getVerdict()).isEqualTo(Verdict.ALLOW);
            assertThat(result.getContent()).contains(without(SIMPLE,
                "X-Secret: 42", "x-internal-route: relay-7", "X-Internal-Trace: hop1,\r\n hop2"));
        }

        @Test
        void inspectShouldKeepTheBodyIdenticalWhenJamesRemoveMimeHeaderSavesChanges() throws Exception {
            InspectionResult result = inspector(when("X-Secret", removeMimeHeader("X-Secret"))).inspect(IMAP, MULTIPART);

            assertThat(result.getContent()).contains(without(MULTIPART, "X-Secret: 42"));
            assertThat(bodyOf(result.getContent().get())).isEqualTo(bodyOf(MULTIPART));
        }

        @Test
        void inspectShouldKeepTheBodyIdenticalWhenAMatcherParsedTheMimeTree() throws Exception {
            // HasAttachment caches the parsed multipart: the message is then rendered by javax.mail, not copied.
            ProxyAction.Step step = ProxyAction.Step.matching(matcher(new HasAttachment(), "HasAttachment", null), removeMimeHeader("X-Secret"));

            InspectionResult result = inspector(step).inspect(IMAP, MULTIPART);

            assertThat(result.getContent()).contains(without(MULTIPART, "X-Secret: 42"));
        }

        @Test
        void inspectShouldKeepEightBitHeaderBytesWhenStripping() throws Exception {
            InspectionResult result = inspector(always(stripHeaders("^X-Secret$"))).inspect(IMAP, SIMPLE);

            assertThat(headerOf(result.getContent().get()))
                .contains(new String("X-Comment: caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }

        @Test
        void inspectShouldNotAddHeadersWhenStripping() throws Exception {
            byte[] bare = bytes("From: a@example.com", "X-Secret: 1", "", "body");

            InspectionResult result = inspector(always(stripHeaders("^X-Secret$"))).inspect(IMAP, bare);

            // No saveChanges(): no generated Message-ID, Date or MIME-Version.
            assertThat(result.getContent()).contains(bytes("From: a@example.com", "", "body"));
        }

        @Test
        void inspectShouldKeepTheSeparatorWhenEveryHeaderIsStripped() throws Exception {
            byte[] message = bytes("X-Secret: 1", "", "body");

            InspectionResult result = inspector(always(stripHeaders("."))).inspect(IMAP, message);

            assertThat(result.getContent()).contains(bytes("", "body"));
        }

        @Test
        void inspectShouldRenderARewrittenBodyWithCrlfLineEndings() throws Exception {
            ProxyActionInspector inspector = inspector(always(lambda(mail -> {
                mail.getMessage().setText("replaced\nbody\n", "UTF-8");
                mail.getMessage().saveChanges();
            })));

            InspectionResult result = inspector.inspect(IMAP, SIMPLE);

            byte[] content = result.getContent().get();
            assertThat(hasOnlyCrlfLineEndings(content)).isTrue();
            assertThat(parse(content).getContent()).isEqualTo("replaced\r\nbody\r\n");
            assertThat(parse(content).getMessageID()).isEqualTo("<simple-1@example.com>");
            assertThat(headerOf(content))
                .contains(new String("X-Comment: caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
        }

        @Test
        void inspectShouldRenderAMessageReplacedByAMailet() throws Exception {
            byte[] replacement = bytes("From: other@example.com", "Subject: replacement", "", "new body");
            ProxyActionInspector inspector = inspector(always(lambda(mail -> mail.setMessage(parse(replacement)))));

            InspectionResult result = inspector.inspect(IMAP, SIMPLE);

            assertThat(result.getContent()).contains(replacement);
        }
    }

    @Nested
    class Denied {
        @Test
        void inspectShouldDenyWithTheReasonSetByProxyVerdict() throws Exception {
            InspectionResult result = inspector(when("X-Secret", deny("secret content"))).inspect(IMAP, SIMPLE);

            assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
            assertThat(result.getReason()).contains("secret content");
            assertThat(parse(result.getContent().get()).getHeader(DenyNotice.DENIED_HEADER, null)).isEqualTo("secret content");
        }

        @Test
        void inspectShouldReplaceADeniedMessageWithItsDenyNotice() throws Exception {
            InspectionResult result = inspector(always(deny("secret content"))).inspect(IMAP, SIMPLE);

            assertThat(result.getContent()).contains(DenyNotice.render(SIMPLE, "secret content", CLOCK.instant().atZone(ZoneOffset.UTC)));
        }

        @Test
        void inspectShouldNameTheMailetWhenTheVerdictHasNoReason() throws Exception {
            InspectionResult result = inspector(always(mailet(new ProxyVerdict(), "ProxyVerdict"))).inspect(IMAP, SIMPLE);

            assertThat(result.getReason()).contains("denied by ProxyVerdict");
        }

        @Test
        void inspectShouldDenyWhenTheNullMailetGhostsTheMail() throws Exception {
            InspectionResult result = inspector(always(mailet(new Null(), "Null"))).inspect(IMAP, SIMPLE);

            assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
            assertThat(result.getReason()).contains("dropped by Null");
        }

        @Test
        void inspectShouldDenyWhenAMailetRemovesEveryRecipient() throws Exception {
            InspectionResult result = inspector(always(lambda(mail -> mail.setRecipients(List.of())))).inspect(IMAP, SIMPLE);

            assertThat(result.getReason()).contains("dropped by Lambda");
        }

        @Test
        void inspectShouldStopAtTheFirstDeny() throws Exception {
            TestSteps.CountingMailet after = new TestSteps.CountingMailet();
            ProxyActionInspector inspector = inspector(
                always(deny("first")),
                always(mailet(after, "After")),
                always(deny("second")));

            InspectionResult result = inspector.inspect(IMAP, SIMPLE);

            assertThat(result.getReason()).contains("first");
            assertThat(after.calls()).isZero();
        }

        @Test
        void inspectShouldSanitiseAReasonSetByAnyMailet() throws Exception {
            ProxyActionInspector inspector = inspector(always(lambda(mail -> {
                mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT, AttributeValue.of("DENY")));
                mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_REASON, AttributeValue.of("two\r\nlines")));
            })));

            assertThat(inspector.inspect(IMAP, SIMPLE).getReason()).contains("two lines");
        }
    }

    @Nested
    class Errors {
        @Test
        void inspectShouldDenyWhenAMailetThrowsAndOnErrorIsDeny() throws Exception {
            InspectionResult result = inspector(OnError.DENY, always(mailet(new TestSteps.FailingMailet(), "ClamScan")))
                .inspect(IMAP, SIMPLE);

            assertThat(result.getVerdict()).isEqualTo(Verdict.DENY);
            assertThat(result.getReason()).contains("inspection failed: mailet ClamScan threw MessagingException");
            assertThat(result.getContent()).isPresent();
        }

        @Test
        void inspectShouldPassUnchangedWhenAMailetThrowsAndOnErrorIsPass() throws Exception {
            InspectionResult result = inspector(OnError.PASS,
                    always(stripHeaders("^X-Secret$")),
                    always(mailet(new TestSteps.FailingMailet(), "ClamScan")))
                .inspect(IMAP, SIMPLE);

            // Fail open means the original bytes, not the half-processed message.
            assertThat(result).isEqualTo(InspectionResult.unchanged());
        }

        @Test
        void inspectShouldApplyOnErrorToAMatcherThatThrows() throws Exception {
            GenericMatcher failing = new GenericMatcher() {
                @Override
                public Collection<MailAddress> match(Mail mail) {
                    throw new IllegalStateException("broken matcher");
                }
            };
            ProxyAction.Step step = ProxyAction.Step.matching(matcher(failing, "Broken", null), mailet(new Null(), "Null"));

            assertThat(inspector(OnError.DENY, step).inspect(IMAP, SIMPLE).getReason())
                .contains("inspection failed: matcher Broken threw IllegalStateException");
            assertThat(inspector(OnError.PASS, step).inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
        }
    }

    @Nested
    class MailSetUp {
        @Test
        void inspectShouldUseTheUserAsRecipientWhenTheContextHasNone() throws Exception {
            ProxyAction.Step step = ProxyAction.Step.matching(
                matcher(new RecipientIs(), "RecipientIs", "bob@example.com"), deny("for bob"));

            assertThat(inspector(step).inspect(IMAP, SIMPLE).getVerdict()).isEqualTo(Verdict.DENY);
        }

        @Test
        void recipientsShouldBeTheEnvelopeRecipientsWhenPresent() throws Exception {
            InspectionContext smtp = InspectionContext.builder(Protocol.SMTP, "smtp-out")
                .user(Optional.of("bob@example.com"))
                .recipients(List.of(new MailAddress("carol@example.com"), new MailAddress("dan@example.com")))
                .build();

            assertThat(ProxyActionInspector.recipients(smtp))
                .containsExactly(new MailAddress("carol@example.com"), new MailAddress("dan@example.com"));
        }

        @Test
        void recipientsShouldQualifyAUserThatIsNotAnAddress() throws Exception {
            InspectionContext context = InspectionContext.builder(Protocol.POP3, "pop").user(Optional.of("bob")).build();

            assertThat(ProxyActionInspector.recipients(context)).containsExactly(new MailAddress("bob@proxy.invalid"));
        }

        @Test
        void recipientsShouldFallBackToUnknownWhenTheUserCannotBeAnAddress() throws Exception {
            InspectionContext spaces = InspectionContext.builder(Protocol.POP3, "pop").user(Optional.of("bob smith")).build();
            InspectionContext anonymous = InspectionContext.builder(Protocol.IMAP, "imap").build();

            assertThat(ProxyActionInspector.recipients(spaces)).containsExactly(new MailAddress("unknown@proxy.invalid"));
            assertThat(ProxyActionInspector.recipients(anonymous)).containsExactly(new MailAddress("unknown@proxy.invalid"));
        }

        @Test
        void inspectShouldExposeTheContextToMatchersAndMailets() throws Exception {
            List<String> seen = new ArrayList<>();
            InspectionContext smtp = InspectionContext.builder(Protocol.SMTP, "smtp-out")
                .user(Optional.of("alice"))
                .remoteAddress("192.0.2.1")
                .sessionId("s-42")
                .sender(MaybeSender.of(new MailAddress("alice@example.com")))
                .recipients(List.of(new MailAddress("bob@example.com")))
                .build();
            ProxyActionInspector inspector = inspector(always(lambda(mail -> seen.addAll(List.of(
                mail.getMaybeSender().asString(),
                mail.getRecipients().toString(),
                mail.getRemoteAddr(),
                String.valueOf(mail.getAttribute(ProxyMailAttributes.PROTOCOL).get().getValue().value()),
                String.valueOf(mail.getAttribute(ProxyMailAttributes.POLICY).get().getValue().value()),
                String.valueOf(mail.getAttribute(ProxyMailAttributes.USER).get().getValue().value()),
                String.valueOf(mail.getAttribute(ProxyMailAttributes.SESSION_ID).get().getValue().value()))))));

            inspector.inspect(smtp, SIMPLE);

            assertThat(seen).containsExactly("alice@example.com", "[bob@example.com]", "192.0.2.1", "SMTP", "smtp-out", "alice", "s-42");
        }

        @Test
        void inspectShouldLetMatchersSelectOnThePolicyAttribute() throws Exception {
            ProxyAction.Step step = ProxyAction.Step.matching(
                matcher(new HasMailAttributeWithValue(), "HasMailAttributeWithValue", "org.jamesproxy.policy, imap-inbound"),
                mailet(new Null(), "Null"));

            assertThat(inspector(step).inspect(IMAP, SIMPLE).getVerdict()).isEqualTo(Verdict.DENY);
        }

        @Test
        void inspectShouldRunANotmatchStepWhenItsMatcherDoesNotMatch() throws Exception {
            ProxyAction.Step step = ProxyAction.Step.notMatching(matcher(new HasHeader(), "HasHeader", "X-Absent"), deny("no X-Absent"));

            assertThat(inspector(step).inspect(IMAP, SIMPLE).getReason()).contains("no X-Absent");
        }

        @Test
        void inspectShouldEndTheActionWhenAMailetMovesTheMailToAnotherState() throws Exception {
            ProxyActionInspector inspector = inspector(
                always(mailet(new ToProcessor(), "ToProcessor", Map.of("processor", "quarantine"))),
                always(mailet(new Null(), "Null")));

            assertThat(inspector.inspect(IMAP, SIMPLE)).isEqualTo(InspectionResult.unchanged());
        }
    }

    @Nested
    class Metrics {
        @Test
        void inspectShouldCountInspectedModifiedAndDeniedMessages() throws Exception {
            ProxyActionInspector inspector = inspector(
                when("X-Deny", deny("denied")),
                when("X-Secret", stripHeaders("^X-Secret$")));

            inspector.inspect(IMAP, SIMPLE);
            inspector.inspect(IMAP, bytes("From: a@example.com", "X-Deny: 1", "", "body"));
            inspector.inspect(IMAP, bytes("From: a@example.com", "", "body"));

            assertThat(metricFactory.countFor(ProxyActionInspector.INSPECTED)).isEqualTo(3);
            assertThat(metricFactory.countFor(ProxyActionInspector.MODIFIED)).isEqualTo(1);
            assertThat(metricFactory.countFor(ProxyActionInspector.DENIED)).isEqualTo(1);
            assertThat(metricFactory.executionTimesFor(ProxyActionInspector.INSPECTION_TIMER)).hasSize(3);
        }

        @Test
        void inspectShouldCountAFailureDeniedByOnErrorAsDenied() throws Exception {
            inspector(OnError.DENY, always(mailet(new TestSteps.FailingMailet(), "ClamScan"))).inspect(IMAP, SIMPLE);

            assertThat(metricFactory.countFor(ProxyActionInspector.DENIED)).isEqualTo(1);
            assertThat(metricFactory.countFor(ProxyActionInspector.MODIFIED)).isZero();
        }
    }
}
