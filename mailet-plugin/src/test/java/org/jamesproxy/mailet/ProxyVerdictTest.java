package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.inspection.ProxyMailAttributes;
import org.junit.jupiter.api.Test;

class ProxyVerdictTest {
    private static ProxyVerdict proxyVerdict(FakeMailetConfig.Builder config) throws MessagingException {
        ProxyVerdict mailet = new ProxyVerdict();
        mailet.init(config.mailetName("ProxyVerdict").build());
        return mailet;
    }

    private static Optional<Object> attribute(Mail mail, AttributeName name) {
        return mail.getAttribute(name).map(Attribute::getValue).map(AttributeValue::value);
    }

    @Test
    void serviceShouldSetADenyVerdictByDefault() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();

        proxyVerdict(FakeMailetConfig.builder()).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("deny");
        assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).isEmpty();
    }

    @Test
    void serviceShouldSetTheConfiguredReason() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();

        proxyVerdict(FakeMailetConfig.builder().setProperty("reason", "executables are not allowed")).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).contains("executables are not allowed");
    }

    @Test
    void serviceShouldSetAnAllowVerdictWhenConfigured() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();

        proxyVerdict(FakeMailetConfig.builder().setProperty("verdict", "allow")).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("allow");
    }

    @Test
    void initShouldAcceptTheVerdictCaseInsensitively() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();

        proxyVerdict(FakeMailetConfig.builder().setProperty("verdict", " DENY ")).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT)).contains("deny");
    }

    @Test
    void initShouldRejectAnUnknownVerdictNamingTheValue() {
        assertThatThrownBy(() -> proxyVerdict(FakeMailetConfig.builder().setProperty("verdict", "quarantine")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("'quarantine'")
            .hasMessageContaining("allow, tempfail, deny, drop, block");
    }

    @Test
    void initShouldRejectAnUnknownParameter() {
        assertThatThrownBy(() -> proxyVerdict(FakeMailetConfig.builder().setProperty("reasons", "typo")))
            .isInstanceOf(MessagingException.class)
            .hasMessageContaining("reasons");
    }

    @Test
    void serviceShouldClearAReasonLeftByAnEarlierMailet() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();
        mail.setAttribute(new Attribute(ProxyMailAttributes.VERDICT_REASON, AttributeValue.of("stale")));

        proxyVerdict(FakeMailetConfig.builder()).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).isEmpty();
    }

    @Test
    void initShouldFlattenLineBreaksInTheReason() throws Exception {
        FakeMail mail = FakeMail.defaultFakeMail();

        proxyVerdict(FakeMailetConfig.builder().setProperty("reason", "first line\r\n  second line")).service(mail);

        assertThat(attribute(mail, ProxyMailAttributes.VERDICT_REASON)).contains("first line second line");
    }
}
