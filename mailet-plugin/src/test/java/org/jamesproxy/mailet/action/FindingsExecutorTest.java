package org.jamesproxy.mailet.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.mailet.action.Messages.MIXED;
import static org.jamesproxy.mailet.action.Messages.NESTED;
import static org.jamesproxy.mailet.action.Messages.count;
import static org.jamesproxy.mailet.action.Messages.part;
import static org.jamesproxy.mailet.action.Messages.reparsed;
import static org.jamesproxy.mailet.action.Messages.wire;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.MessagingException;
import javax.mail.Part;
import javax.mail.internet.MimeMessage;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.mailrepository.api.Protocol;
import org.apache.james.mailrepository.memory.MailRepositoryStoreConfiguration;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.mailrepository.memory.MemoryMailRepositoryStore;
import org.apache.james.mailrepository.memory.MemoryMailRepositoryUrlStore;
import org.apache.james.mailrepository.memory.SimpleMailRepositoryLoader;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class FindingsExecutorTest {
    private static final Finding EXE = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "executable attachment")
        .part(PartPath.of(List.of(1)))
        .filename("invoice.exe")
        .type("application/x-msdownload")
        .build();

    private FakeMailContext context;
    private MemoryMailRepositoryStore store;
    private MutableClock clock;

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2024-03-05T08:00:00Z"));

        void advance(Duration duration) {
            now.updateAndGet(instant -> instant.plus(duration));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        context = FakeMailContext.builder().postmaster(new MailAddress("postmaster@example.com")).build();
        store = new MemoryMailRepositoryStore(new MemoryMailRepositoryUrlStore(), new SimpleMailRepositoryLoader(),
            MailRepositoryStoreConfiguration.forItems(new MailRepositoryStoreConfiguration.Item(
                ImmutableList.of(new Protocol("memory")), MemoryMailRepository.class.getName(), new BaseHierarchicalConfiguration())));
        store.init();
        clock = new MutableClock();
    }

    private CannedFindingsRule rule(Map<String, String> parameters, Finding... findings) throws MessagingException {
        CannedFindingsRule rule = new CannedFindingsRule(findings);
        rule.setMailRepositoryStore(store);
        rule.setClock(clock);
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("TestRule").mailetContext(context);
        parameters.forEach(config::setProperty);
        rule.init(config.build());
        return rule;
    }

    private static FakeMail mail(String text) throws Exception {
        return FakeMail.builder()
            .name("mail-1")
            .sender("alice@example.com")
            .recipient("bob@example.com")
            .mimeMessage(Messages.parse(text))
            .build();
    }

    private static String attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(value -> String.valueOf(value.value())).orElse(null);
    }

    private MailRepository quarantine() throws Exception {
        return store.select(MailRepositoryUrl.from("memory://var/mail/quarantine"));
    }

    @Nested
    class Strip {
        @Test
        void stripShouldReplaceThePartByTextAndKeepThePartCount() throws Exception {
            FakeMail mail = mail(MIXED);

            rule(Map.of(), EXE).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            Part replaced = part(result, 1);
            assertThat(replaced.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
            assertThat(replaced.getFileName()).isEqualTo("invoice.exe.txt");
            assertThat(replaced.getDisposition()).isEqualTo(Part.ATTACHMENT);
            assertThat((String) replaced.getContent())
                .contains("The mail proxy stripped this content.")
                .contains("Reason: executable attachment")
                .contains("File name: invoice.exe")
                .contains("Content type: application/x-msdownload");
            assertThat(wire(mail.getMessage())).doesNotContain("TVqQAAMAAAAEAAAA");
        }

        @Test
        void aPartStrippedByTwoRulesShouldKeepASingleTxtSuffix() throws Exception {
            FakeMail mail = mail(MIXED);

            // ContentTypeRules then FilenameRules, say, both finding the same attachment.
            rule(Map.of(), EXE).service(mail);
            rule(Map.of(), EXE).service(mail);

            Part replaced = part(reparsed(mail.getMessage()), 1);
            assertThat(replaced.getFileName()).isEqualTo("invoice.exe.txt");
        }

        @Test
        void theNoticeShouldHaveNoLabelledLineWithoutAValue() throws Exception {
            FakeMail mail = mail(MIXED);

            rule(Map.of(), EXE).service(mail);

            String notice = (String) part(reparsed(mail.getMessage()), 1).getContent();
            assertThat(notice)
                .contains("Reason: executable attachment")
                .doesNotContain("Virus:")
                .doesNotContain("Recovery id:");
            assertThat(notice.lines()).noneMatch(line -> line.strip().endsWith(":"));
        }

        @Test
        void stripShouldKeepTheOtherPartsAndTheMessageId() throws Exception {
            FakeMail mail = mail(MIXED);

            rule(Map.of(), EXE).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(result.getMessageID()).isEqualTo("<original-1@example.com>");
            assertThat(result.getSubject()).isEqualTo("invoice");
            assertThat(((String) part(result, 0).getContent()).trim()).isEqualTo("Please find the invoice attached.");
            assertThat(part(result, 2).getFileName()).isEqualTo("terms.pdf");
            assertThat(wire(mail.getMessage())).contains("JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl");
            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).isNull();
        }

        @Test
        void stripShouldReachIntoNestedMultiparts() throws Exception {
            FakeMail mail = mail(NESTED);
            Finding html = Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP, "html not allowed")
                .part(PartPath.of(List.of(1, 1))).type("text/html").build();

            rule(Map.of(), html).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            assertThat(count(part(result, 1))).isEqualTo(2);
            assertThat(part(result, 1, 1).getContentType()).startsWith("text/plain");
            assertThat(part(result, 1, 1).getDisposition()).isEqualTo(Part.INLINE);
            assertThat((String) part(result, 1, 1).getContent()).contains("html not allowed");
            assertThat(((String) part(result, 1, 0).getContent()).trim()).isEqualTo("alt text");
        }

        @Test
        void stripShouldReachIntoAnAttachedMessageAndKeepItsMessageId() throws Exception {
            FakeMail mail = mail(NESTED);
            Finding zip = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "archive not allowed")
                .part(PartPath.of(List.of(2, 0, 1))).filename("payload.zip").build();

            rule(Map.of(), zip).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            MimeMessage embedded = (MimeMessage) part(result, 2).getContent();
            assertThat(embedded.getMessageID()).isEqualTo("<inner-3@example.com>");
            assertThat(embedded.getSubject()).isEqualTo("forwarded");
            assertThat(count(embedded)).isEqualTo(2);
            assertThat(part(embedded, 1).getFileName()).isEqualTo("payload.zip.txt");
            assertThat((String) part(embedded, 1).getContent()).contains("archive not allowed");
            assertThat(((String) part(embedded, 0).getContent()).trim()).isEqualTo("inner text");
            assertThat(result.getMessageID()).isEqualTo("<outer-2@example.com>");
        }

        @Test
        void strippingTheAttachedMessageItselfShouldReplaceTheMessageRfc822Part() throws Exception {
            FakeMail mail = mail(NESTED);
            Finding forwarded = Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP, "no forwarded mail")
                .part(PartPath.of(List.of(2, 0))).build();

            rule(Map.of(), forwarded).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            assertThat(part(result, 2).getContentType()).startsWith("text/plain");
        }

        @Test
        void aPartInsideAnotherStrippedPartShouldBeCoveredByIt() throws Exception {
            FakeMail mail = mail(NESTED);
            Finding outer = Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP, "outer").part(PartPath.of(List.of(1))).build();
            Finding inner = Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP, "inner").part(PartPath.of(List.of(1, 1))).build();

            rule(Map.of(), inner, outer).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            assertThat((String) part(result, 1).getContent()).contains("Reason: outer");
        }

        @Test
        void strippingTheWholeSinglePartMessageShouldReplaceItsBody() throws Exception {
            FakeMail mail = mail("From: a@example.com\r\nSubject: s\r\nMessage-ID: <single@example.com>\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nAAAA\r\n");
            Finding root = Finding.builder(Finding.Category.CONTENT_TYPE, RuleAction.STRIP, "binary body").build();

            rule(Map.of(), root).service(mail);

            MimeMessage result = reparsed(mail.getMessage());
            assertThat(result.getContentType()).startsWith("text/plain");
            assertThat((String) result.getContent()).contains("binary body");
            assertThat(result.getMessageID()).isEqualTo("<single@example.com>");
        }

        @Test
        void aPartThatCannotBeRewrittenDeniesTheMessageAsUnscannable() throws Exception {
            // The scanner saw a part javax.mail's reading of the message does not have: what had to go is still there.
            Finding missing = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "x").part(PartPath.of(List.of(7))).build();
            Mail mail = mail(MIXED);

            rule(Map.of(), missing).service(mail);

            assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT).map(attribute -> String.valueOf(attribute.getValue().value())))
                .contains("deny");
            assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT_REASON).map(attribute -> String.valueOf(attribute.getValue().value())))
                .hasValueSatisfying(reason -> assertThat(reason).startsWith("x; unscannable message").contains("part 8 not found"));
        }
    }

    @Nested
    class Quarantine {
        private final Finding exe = Finding.builder(Finding.Category.VIRUS, RuleAction.QUARANTINE, "Virus found: Eicar-Test-Signature")
            .part(PartPath.of(List.of(1))).filename("invoice.exe").virus("Eicar-Test-Signature").build();

        @Test
        void quarantineShouldStoreTheOriginalAndPutTheRecoveryIdInTheReplacement() throws Exception {
            FakeMail mail = mail(MIXED);
            String originalWire = wire(mail.getMessage());

            rule(Map.of(), exe).service(mail);

            assertThat(quarantine().size()).isEqualTo(1);
            MailKey key = ImmutableList.copyOf(quarantine().list()).get(0);
            Mail stored = quarantine().retrieve(key);
            assertThat(wire(stored.getMessage())).isEqualTo(originalWire);
            assertThat(stored.getRecipients()).containsExactly(new MailAddress("bob@example.com"));
            MimeMessage result = reparsed(mail.getMessage());
            assertThat(count(result)).isEqualTo(3);
            assertThat((String) part(result, 1).getContent())
                .contains("The mail proxy quarantined this content.")
                .contains("Recovery id: " + key.asString())
                .contains("Virus: Eicar-Test-Signature");
        }

        @Test
        void quarantiningTheWholeMessageShouldReplaceItByANoticeWithTheRecoveryId() throws Exception {
            FakeMail mail = mail(MIXED);
            String originalWire = wire(mail.getMessage());
            Finding whole = Finding.builder(Finding.Category.SPAM, RuleAction.QUARANTINE, "spam score 12.5").build();

            rule(Map.of("denyMessage", "Subject: [Quarantined] %(reason)%\nYour message is held as %(recovery)%."), whole).service(mail);

            MailKey key = ImmutableList.copyOf(quarantine().list()).get(0);
            assertThat(wire(quarantine().retrieve(key).getMessage())).isEqualTo(originalWire);
            MimeMessage notice = reparsed(mail.getMessage());
            assertThat(notice.getSubject()).isEqualTo("[Quarantined] spam score 12.5");
            assertThat(notice.getMessageID()).isEqualTo("<original-1@example.com>");
            assertThat(((String) notice.getContent()).trim()).isEqualTo("Your message is held as " + key.asString() + ".");
        }

        @Test
        void twoRulesQuarantiningOneMessageShouldStoreItOnce() throws Exception {
            FakeMail mail = mail(MIXED);
            Finding pdf = Finding.builder(Finding.Category.FILENAME, RuleAction.QUARANTINE, "pdf").part(PartPath.of(List.of(2))).build();

            rule(Map.of(), exe).service(mail);
            rule(Map.of(), pdf).service(mail);

            assertThat(quarantine().size()).isEqualTo(1);
            MimeMessage result = reparsed(mail.getMessage());
            String key = ImmutableList.copyOf(quarantine().list()).get(0).asString();
            assertThat((String) part(result, 2).getContent()).contains("Recovery id: " + key);
        }

        @Test
        void aRepositoryUrlShouldBeUsedAsGiven() throws Exception {
            rule(Map.of("quarantineRepository", "memory://var/mail/held/"), exe).service(mail(MIXED));

            assertThat(store.select(MailRepositoryUrl.from("memory://var/mail/held/")).size()).isEqualTo(1);
        }

        @Test
        void quarantineWithoutARepositoryStoreShouldFailTheMailet() throws Exception {
            CannedFindingsRule rule = new CannedFindingsRule(exe);
            rule.init(FakeMailetConfig.builder().mailetName("NoStore").mailetContext(context).build());

            assertThatThrownBy(() -> rule.service(mail(MIXED)))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("MailRepositoryStore");
        }
    }

    @Nested
    class Verdicts {
        @Test
        void denyShouldSetTheVerdictAndLeaveTheMessageAlone() throws Exception {
            FakeMail mail = mail(MIXED);
            String before = wire(mail.getMessage());
            Finding deny = Finding.builder(Finding.Category.VIRUS, RuleAction.DENY, "Virus found: EICAR").virus("EICAR").build();

            rule(Map.of(), EXE, deny).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).isEqualTo("deny");
            assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).isEqualTo("Virus found: EICAR");
            assertThat(attribute(mail, ProxyMailAttributes.VERDICT_MESSAGE)).isNull();
            assertThat(wire(mail.getMessage())).isEqualTo(before);
        }

        @Test
        void theMostSevereFindingShouldDecide() throws Exception {
            for (RuleAction action : List.of(RuleAction.TEMPFAIL, RuleAction.DROP, RuleAction.BLOCK)) {
                FakeMail mail = mail(MIXED);
                Finding finding = Finding.builder(Finding.Category.ENGINE_FAILURE, action, "because " + action.value()).build();

                rule(Map.of(), EXE, finding).service(mail);

                assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).isEqualTo(action.value());
                assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).isEqualTo("because " + action.value());
            }
        }

        @Test
        void aConfiguredDenyMessageShouldBeRenderedForTheNotice() throws Exception {
            FakeMail mail = mail(MIXED);
            Finding deny = Finding.builder(Finding.Category.VIRUS, RuleAction.DENY, "Virus found: EICAR").virus("EICAR")
                .filename("invoice.exe").type("application/x-msdownload").build();

            rule(Map.of("denyMessage", "Subject: Virus %(virus)% removed\\n%(action)%: %(reason)% in %(filename)% (%(type)%)%(recovery)%"),
                deny).service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT_MESSAGE))
                .isEqualTo("Subject: Virus EICAR removed\ndenied: Virus found: EICAR in invoice.exe (application/x-msdownload)\n");
        }

        @Test
        void allowFindingsShouldChangeNothing() throws Exception {
            FakeMail mail = mail(MIXED);
            String before = wire(mail.getMessage());

            rule(Map.of(), Finding.builder(Finding.Category.HEADER, RuleAction.ALLOW, "whitelisted").build()).service(mail);

            assertThat(wire(mail.getMessage())).isEqualTo(before);
            assertThat(mail.attributes()).isEmpty();
            assertThat(context.getSentMails()).isEmpty();
        }
    }

    @Nested
    class Templates {
        @Test
        void htmlTemplateShouldGiveAnHtmlPartWithEscapedValues() throws Exception {
            FakeMail mail = mail(MIXED);
            Finding nasty = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "<script>alert(1)</script>")
                .part(PartPath.of(List.of(1))).filename("invoice.exe").build();

            rule(Map.of("denyMessage", "Content-Type: text/html\n<p>Removed: %(reason)%</p>"), nasty).service(mail);

            Part replaced = part(reparsed(mail.getMessage()), 1);
            assertThat(replaced.getContentType()).startsWith("text/html");
            assertThat(replaced.getFileName()).isEqualTo("invoice.exe.html");
            assertThat((String) replaced.getContent()).contains("<p>Removed: &lt;script&gt;alert(1)&lt;/script&gt;</p>");
        }

        @Test
        void valuesShouldBeMadeSingleLine() throws Exception {
            FakeMail mail = mail(MIXED);
            Finding multiline = Finding.builder(Finding.Category.FILENAME, RuleAction.STRIP, "line1\r\nBcc: evil@example.com")
                .part(PartPath.of(List.of(1))).build();

            rule(Map.of("denyMessage", "Subject: %(reason)%\nx"), multiline).service(mail);

            assertThat((String) part(reparsed(mail.getMessage()), 1).getContent()).isEqualTo("x\r\n");
        }

        @Test
        void anUnknownVariableShouldBeRefusedAtInitNamingTheParameter() {
            assertThatThrownBy(() -> rule(Map.of("denyMessage", "removed: %(reasons)%")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("TestRule")
                .hasMessageContaining("denyMessage")
                .hasMessageContaining("%(reasons)%");
        }

        @Test
        void anUnsupportedContentTypeLineShouldBeRefusedAtInit() {
            assertThatThrownBy(() -> rule(Map.of("denyMessage", "Content-Type: application/pdf\nremoved")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("denyMessage")
                .hasMessageContaining("text/plain or text/html");
        }

        @Test
        void invalidCommonParametersShouldBeRefusedAtInit() {
            assertThatThrownBy(() -> rule(Map.of("alarmsPerMinute", "0")))
                .hasMessageContaining("alarmsPerMinute").hasMessageContaining("'0'");
            assertThatThrownBy(() -> rule(Map.of("notifyPostmaster", "maybe")))
                .hasMessageContaining("notifyPostmaster").hasMessageContaining("true or false");
            assertThatThrownBy(() -> rule(Map.of("denyMesage", "typo")))
                .hasMessageContaining("denyMesage");
        }
    }

    @Nested
    class Alarms {
        private final Finding virus = Finding.builder(Finding.Category.VIRUS, RuleAction.DENY, "Virus found: EICAR").virus("EICAR").build();

        @Test
        void alarmShouldMailThePostmasterWhenConfigured() throws Exception {
            rule(Map.of("notifyPostmaster", "true"), virus).service(mail(MIXED));

            assertThat(context.getSentMails()).hasSize(1);
            FakeMailContext.SentMail sent = context.getSentMails().get(0);
            assertThat(sent.getRecipients()).containsExactly(new MailAddress("postmaster@example.com"));
            assertThat(sent.getSubject()).hasValueSatisfying(subject -> assertThat(subject).contains("[mail proxy alarm] TestRule: deny"));
            assertThat(sent.getMsg().getContent().toString())
                .contains("Virus:      EICAR")
                .contains("Sender:     alice@example.com")
                .contains("Recipients: bob@example.com")
                .contains("Message-ID: <original-1@example.com>");
        }

        @Test
        void noMailShouldBeSentByDefault() throws Exception {
            rule(Map.of(), virus).service(mail(MIXED));

            assertThat(context.getSentMails()).isEmpty();
        }

        @Test
        void alarmsShouldBeRateLimitedPerRuleAndReportWhatWasSuppressed() throws Exception {
            CannedFindingsRule rule = rule(Map.of("notifyPostmaster", "true", "alarmsPerMinute", "3"), virus);

            for (int i = 0; i < 10; i++) {
                rule.service(mail(MIXED));
            }
            assertThat(context.getSentMails()).hasSize(3);

            clock.advance(Duration.ofSeconds(61));
            rule.service(mail(MIXED));

            assertThat(context.getSentMails()).hasSize(4);
            assertThat(context.getSentMails().get(3).getMsg().getContent().toString())
                .contains("7 earlier alarm(s) of this rule were suppressed");
        }

        @Test
        void aFailingPostmasterMailShouldNotChangeTheVerdict() throws Exception {
            // No postmaster configured: building the alarm mail fails.
            FakeMailContext broken = FakeMailContext.builder().build();
            CannedFindingsRule rule = new CannedFindingsRule(virus);
            rule.init(FakeMailetConfig.builder().mailetName("R").setProperty("notifyPostmaster", "true")
                .mailetContext(broken).build());
            FakeMail mail = mail(MIXED);

            rule.service(mail);

            assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).isEqualTo("deny");
            assertThat(broken.getSentMails()).isEmpty();
        }
    }
}
