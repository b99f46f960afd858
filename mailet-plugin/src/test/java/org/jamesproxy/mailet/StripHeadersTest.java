package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.MessageFixtures.MULTIPART;
import static org.jamesproxy.MessageFixtures.SIMPLE;
import static org.jamesproxy.MessageFixtures.bodyOf;
import static org.jamesproxy.MessageFixtures.headerOf;
import static org.jamesproxy.MessageFixtures.parse;
import static org.jamesproxy.MessageFixtures.without;
import static org.jamesproxy.MessageFixtures.write;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.PerRecipientHeaders;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StripHeadersTest {
    private static StripHeaders stripHeaders(String patterns) throws MessagingException {
        StripHeaders mailet = new StripHeaders();
        mailet.init(FakeMailetConfig.builder()
            .mailetName("StripHeaders")
            .mailetContext(FakeMailContext.defaultContext())
            .setProperty("patterns", patterns)
            .build());
        return mailet;
    }

    private static byte[] strip(String patterns, byte[] message) throws Exception {
        MimeMessage mimeMessage = parse(message);
        stripHeaders(patterns).service(FakeMail.builder().name("mail").mimeMessage(mimeMessage).build());
        return write(mimeMessage);
    }

    @Nested
    class Init {
        @Test
        void initShouldRejectMissingPatterns() {
            StripHeaders mailet = new StripHeaders();

            assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder().mailetName("StripHeaders").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("missing required parameter 'patterns'");
        }

        @Test
        void initShouldRejectAnInvalidRegularExpressionNamingIt() {
            assertThatThrownBy(() -> stripHeaders("^X-Good$, X-(Bad"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("invalid regular expression 'X-(Bad'")
                .hasMessageContaining("'patterns'");
        }

        @Test
        void initShouldRejectPatternsWithoutAnyExpression() {
            assertThatThrownBy(() -> stripHeaders(" , ,"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("holds no pattern");
        }

        @Test
        void initShouldRejectAnUnknownParameter() {
            StripHeaders mailet = new StripHeaders();

            assertThatThrownBy(() -> mailet.init(FakeMailetConfig.builder()
                    .mailetName("StripHeaders")
                    .setProperty("pattern", "X-Secret")
                    .build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("pattern");
        }
    }

    @Test
    void serviceShouldRemoveTheHeaderMatchingAPattern() throws Exception {
        assertThat(strip("^X-Secret$", SIMPLE)).isEqualTo(without(SIMPLE, "X-Secret: 42"));
    }

    @Test
    void serviceShouldMatchHeaderNamesCaseInsensitively() throws Exception {
        assertThat(strip("^X-INTERNAL-ROUTE$", SIMPLE)).isEqualTo(without(SIMPLE, "x-internal-route: relay-7"));
    }

    @Test
    void serviceShouldFindAnUnanchoredPatternAnywhereInTheName() throws Exception {
        assertThat(strip("Received", SIMPLE)).isEqualTo(without(SIMPLE,
            "Received: from a.example.com by b.example.com; Mon, 2 Jan 2023 10:00:00 +0000",
            "Received: from c.example.com by a.example.com; Mon, 2 Jan 2023 09:59:00 +0000",
            "X-Received: by relay.example.com"));
    }

    @Test
    void serviceShouldHonourAnchors() throws Exception {
        assertThat(strip("^Received$", SIMPLE)).isEqualTo(without(SIMPLE,
            "Received: from a.example.com by b.example.com; Mon, 2 Jan 2023 10:00:00 +0000",
            "Received: from c.example.com by a.example.com; Mon, 2 Jan 2023 09:59:00 +0000"));
    }

    @Test
    void serviceShouldApplyEveryPatternAndRemoveFoldedFields() throws Exception {
        assertThat(strip("^X-Secret$ , ^x-internal-", SIMPLE)).isEqualTo(without(SIMPLE,
            "X-Secret: 42",
            "x-internal-route: relay-7",
            "X-Internal-Trace: hop1,\r\n hop2"));
    }

    @Test
    void serviceShouldLeaveTheBodyByteForByteIdentical() throws Exception {
        byte[] stripped = strip("^X-Secret$", MULTIPART);

        assertThat(bodyOf(stripped)).isEqualTo(bodyOf(MULTIPART));
        assertThat(headerOf(stripped)).doesNotContain("X-Secret");
    }

    @Test
    void serviceShouldOnlyTouchTopLevelHeaders() throws Exception {
        byte[] stripped = strip("^X-Secret$", MULTIPART);

        assertThat(new String(bodyOf(stripped), "US-ASCII")).contains("X-Secret: part header, must stay");
    }

    @Test
    void serviceShouldNotModifyTheMessageWhenNothingMatches() throws Exception {
        MimeMessageWrapper message = new MimeMessageWrapper(parse(SIMPLE));

        stripHeaders("^X-Absent$").service(FakeMail.builder().name("mail").mimeMessage(message).build());

        assertThat(message.isModified()).isFalse();
    }

    @Test
    void serviceShouldRemoveMatchingPerRecipientHeaders() throws Exception {
        MailAddress bob = new MailAddress("bob@example.com");
        FakeMail mail = FakeMail.builder()
            .name("mail")
            .mimeMessage(parse(SIMPLE))
            .recipient(bob)
            .addHeaderForRecipient(PerRecipientHeaders.Header.builder().name("X-Secret-Score").value("7").build(), bob)
            .addHeaderForRecipient(PerRecipientHeaders.Header.builder().name("X-Kept").value("1").build(), bob)
            .build();

        stripHeaders("^X-Secret").service(mail);

        assertThat(mail.getPerRecipientSpecificHeaders().getHeaderNamesForRecipient(bob)).containsExactly("X-Kept");
    }

    @Test
    void serviceShouldWorkOnJamesMailAsInTheMailContainer() throws Exception {
        MailImpl mail = MailImpl.builder().name("mail").mimeMessage(parse(MULTIPART)).build();
        try {
            stripHeaders("^X-Secret$").service(mail);

            byte[] written = write(mail.getMessage());
            assertThat(headerOf(written)).doesNotContain("X-Secret").contains("Message-ID: <multi-1@example.com>");
            assertThat(bodyOf(written)).isEqualTo(bodyOf(MULTIPART));
        } finally {
            mail.dispose();
        }
    }
}
