package org.jamesproxy.mailet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Attribute;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
    private static final String RULES = "From ~ (?i)@partner\\.example>?$ = allow\n"
        + "Subject ~ (?i)invoice.*urgent = deny\n"
        + "X-Mailer ~ ^BadBot = drop";

    private static HeaderRules headerRules(Map<String, String> parameters) throws MessagingException {
        HeaderRules mailet = new HeaderRules();
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("HeaderRules")
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    private static Mail mail(String headers) throws Exception {
        String text = headers + "\r\n\r\nbody\r\n";
        return FakeMail.builder().name("m").mimeMessage(new MimeMessage(null, new ByteArrayInputStream(text.getBytes(UTF_8))))
            .recipient("bob@example.com").build();
    }

    private static String verdict(Mail mail) {
        return mail.getAttribute(ProxyMailAttributes.VERDICT).map(Attribute::getValue).map(v -> String.valueOf(v.value())).orElse(null);
    }

    private static String reason(Mail mail) {
        return mail.getAttribute(ProxyMailAttributes.VERDICT_REASON).map(Attribute::getValue).map(v -> String.valueOf(v.value())).orElse(null);
    }

    @Test
    void matchingRuleShouldSetItsVerdictWithAReasonNamingHeaderAndRegex() throws Exception {
        Mail mail = mail("From: alice@example.com\r\nSubject: Invoice 42 - URGENT");

        headerRules(Map.of("rules", RULES)).service(mail);

        assertThat(verdict(mail)).isEqualTo("deny");
        assertThat(reason(mail)).isEqualTo("header Subject matches (?i)invoice.*urgent");
    }

    @Test
    void encodedWordsAndFoldingShouldBeDecodedBeforeMatching() throws Exception {
        Mail mail = mail("Subject: =?UTF-8?B?SW52b2ljZSDDqXTDqSDigJM=?=\r\n  urgent");

        headerRules(Map.of("rules", RULES)).service(mail);

        assertThat(verdict(mail)).isEqualTo("deny");
    }

    @Test
    void rawUtf8HeadersShouldBeMatchedAsText() throws Exception {
        Mail mail = mail("Subject: Facture \u00e9t\u00e9 urgente");

        headerRules(Map.of("rules", "Subject ~ \u00e9t\u00e9 = tempfail")).service(mail);

        assertThat(verdict(mail)).isEqualTo("tempfail");
    }

    @Test
    void theFirstMatchingRuleShouldDecideSoAnAllowRuleExempts() throws Exception {
        Mail mail = mail("From: <boss@partner.example>\r\nSubject: invoice very urgent\r\nX-Mailer: BadBot 1.0");

        headerRules(Map.of("rules", RULES)).service(mail);

        assertThat(verdict(mail)).isNull();
    }

    @Test
    void rulesShouldBeTriedInOrder() throws Exception {
        Mail mail = mail("Subject: invoice urgent\r\nX-Mailer: BadBot 1.0");

        headerRules(Map.of("rules", "X-Mailer ~ ^BadBot = drop; Subject ~ invoice = deny")).service(mail);

        assertThat(verdict(mail)).isEqualTo("drop");
    }

    @Test
    void everyValueOfARepeatedHeaderShouldBeChecked() throws Exception {
        Mail mail = mail("Received: from good.example\r\nReceived: from evil.example");

        headerRules(Map.of("rules", "Received ~ evil\\.example = block")).service(mail);

        assertThat(verdict(mail)).isEqualTo("block");
    }

    @Test
    void noMatchShouldChangeNothing() throws Exception {
        Mail mail = mail("Subject: hello");

        headerRules(Map.of("rules", RULES)).service(mail);

        assertThat(mail.attributes()).isEmpty();
    }

    @Test
    void regexMayContainEqualsTildeAndEscapedSemicolons() throws Exception {
        HeaderRules mailet = headerRules(Map.of("rules", "X-Tag ~ a=b~c\\;d = deny; Subject ~ x = allow"));

        assertThat(mailet.rules()).hasSize(2);
        assertThat(mailet.rules().get(0).pattern.pattern()).isEqualTo("a=b~c;d");
        assertThat(mailet.rules().get(0).action).isEqualTo(RuleAction.DENY);
        Mail mail = mail("X-Tag: a=b~c;d");
        mailet.service(mail);
        assertThat(verdict(mail)).isEqualTo("deny");
    }

    @Test
    void initShouldRejectBadRulesNamingParameterAndValue() {
        assertThatThrownBy(() -> headerRules(Map.of()))
            .hasMessageContaining("'rules' is required");
        assertThatThrownBy(() -> headerRules(Map.of("rules", "Subject invoice deny")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("HeaderRules: invalid rule 'Subject invoice deny' in parameter 'rules'");
        assertThatThrownBy(() -> headerRules(Map.of("rules", "Subject ~ ([a-z = deny")))
            .hasMessageContaining("invalid regex");
        assertThatThrownBy(() -> headerRules(Map.of("rules", "Subject ~ x = reject")))
            .hasMessageContaining("unknown action 'reject'");
        assertThatThrownBy(() -> headerRules(Map.of("rules", "Subject ~ x = strip")))
            .hasMessageContaining("strip has no meaning");
        assertThatThrownBy(() -> headerRules(Map.of("rules", "Bad Name ~ x = deny")))
            .hasMessageContaining("'Bad Name' is not a header field name");
        assertThatThrownBy(() -> headerRules(Map.of("rules", " ; \n ")))
            .hasMessageContaining("has no rule");
    }

    @Test
    void commonParametersShouldBeAccepted() throws Exception {
        Mail mail = mail("Subject: invoice urgent");

        headerRules(Map.of("rules", RULES, "denyMessage", "Subject: Refused\nRefused: %(reason)%", "alarm", "false")).service(mail);

        assertThat(mail.getAttribute(ProxyMailAttributes.VERDICT_MESSAGE).map(a -> String.valueOf(a.getValue().value())))
            .contains("Subject: Refused\nRefused: header Subject matches (?i)invoice.*urgent\n");
    }
}
