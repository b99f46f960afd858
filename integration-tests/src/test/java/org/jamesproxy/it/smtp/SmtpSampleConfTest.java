package org.jamesproxy.it.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.List;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.junit.jupiter.api.Test;

/** The documented sample conf/mailproxy.xml shipped in james-conf parses, and its SMTP example means what it says. */
class SmtpSampleConfTest {
    @Test
    void sampleSmtpPolicyShouldParseWithTheDocumentedValues() throws Exception {
        XMLConfiguration xml = new XMLConfiguration();
        try (InputStream sample = getClass().getClassLoader().getResourceAsStream("sample-conf/mailproxy-reference.xml")) {
            new FileHandler(xml).load(sample);
        }

        List<SmtpPolicy> policies = MailProxyConfiguration.parse(xml).getSmtpPolicies();

        // The MX example is shipped disabled: only the submission policy is live.
        assertThat(policies).hasSize(1);
        SmtpPolicy submission = policies.get(0);
        assertThat(submission.getPolicy().getName()).isEqualTo("smtp-submission");
        assertThat(submission.getPolicy().getBind()).isEqualTo("0.0.0.0:587");
        assertThat(submission.getPolicy().getTlsBind()).isEqualTo("0.0.0.0:465");
        assertThat(submission.getPolicy().getUpstream().getTls()).isEqualTo(UpstreamTls.STARTTLS);
        assertThat(submission.isOpportunisticStartTls()).isFalse();
        assertThat(submission.getMaxMessageSize()).isEqualTo(25L * 1024 * 1024);
        assertThat(submission.getMaxRecipients()).isEqualTo(100);
        assertThat(submission.getMailFrom().permits("someone@SPAM.example")).isFalse();
        // The rcptTo allow-list is an example, commented out: every real recipient is accepted.
        assertThat(submission.getRcptTo().permits("bob@example.org")).isTrue();
        assertThat(submission.getRcptTo().permits("bob@elsewhere.example")).isTrue();
    }
}
