package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.MessageFixtures.SIMPLE;
import static org.jamesproxy.MessageFixtures.bytes;
import static org.jamesproxy.MessageFixtures.hasOnlyCrlfLineEndings;
import static org.jamesproxy.MessageFixtures.headerOf;
import static org.jamesproxy.MessageFixtures.parse;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;

import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeUtility;

import org.junit.jupiter.api.Test;

import com.google.common.base.CharMatcher;
import com.google.common.base.Splitter;

class DenyNoticeTest {
    private static final ZonedDateTime NOW = ZonedDateTime.of(2024, 3, 5, 8, 9, 10, 0, ZoneOffset.UTC);
    private static final String REASON = "executable attachment";

    private static MimeMessage renderAndParse(byte[] original, String reason) throws Exception {
        return parse(DenyNotice.render(original, reason, NOW));
    }

    @Test
    void renderShouldKeepTheOriginalIdentificationHeaders() throws Exception {
        MimeMessage notice = renderAndParse(SIMPLE, REASON);

        assertThat(notice.getFrom()).containsExactly(new InternetAddress("Alice <alice@example.com>"));
        assertThat(notice.getHeader("To", ",")).isEqualTo("Bob <bob@example.com>");
        assertThat(notice.getHeader("Date", null)).isEqualTo("Mon, 2 Jan 2023 10:00:00 +0000");
        assertThat(notice.getMessageID()).isEqualTo("<simple-1@example.com>");
    }

    @Test
    void renderShouldPrefixTheDecodedOriginalSubject() throws Exception {
        assertThat(renderAndParse(SIMPLE, REASON).getSubject()).isEqualTo("[Denied] Quarterly résultats");
    }

    @Test
    void renderShouldCarryTheReasonInTheHeaderAndTheBody() throws Exception {
        MimeMessage notice = renderAndParse(SIMPLE, REASON);

        assertThat(notice.getHeader(DenyNotice.DENIED_HEADER, null)).isEqualTo(REASON);
        assertThat((String) notice.getContent()).contains("Reason: " + REASON);
    }

    @Test
    void renderShouldProduceATextPlainMessageWithCrlfLineEndings() throws Exception {
        byte[] notice = DenyNotice.render(SIMPLE, REASON, NOW);
        MimeMessage parsed = parse(notice);

        assertThat(hasOnlyCrlfLineEndings(notice)).isTrue();
        assertThat(parsed.isMimeType("text/plain")).isTrue();
        assertThat(parsed.getContentType()).containsIgnoringCase("charset=UTF-8");
        assertThat((String) parsed.getContent()).contains("removed this message").contains("<simple-1@example.com>");
    }

    @Test
    void renderShouldKeepTheHeaderSectionSevenBit() {
        byte[] notice = DenyNotice.render(SIMPLE, "r\u00e9sultat interdit", NOW);

        assertThat(CharMatcher.ascii().matchesAllOf(new String(notice, StandardCharsets.ISO_8859_1))).isTrue();
    }

    @Test
    void renderShouldEncodeANonAsciiReasonReversibly() throws Exception {
        MimeMessage notice = renderAndParse(SIMPLE, "r\u00e9sultat interdit \u20ac");

        assertThat(MimeUtility.decodeText(notice.getHeader(DenyNotice.DENIED_HEADER, null)))
            .isEqualTo("r\u00e9sultat interdit \u20ac");
        assertThat((String) notice.getContent()).contains("r\u00e9sultat interdit \u20ac");
    }

    @Test
    void renderShouldFallBackWhenTheOriginalHasNoUsableHeaders() throws Exception {
        MimeMessage notice = renderAndParse("garbage without any header".getBytes(StandardCharsets.US_ASCII), REASON);

        assertThat(notice.getHeader("From", null)).isEqualTo(DenyNotice.FALLBACK_FROM);
        assertThat(notice.getHeader("Date", null)).isEqualTo("Tue, 5 Mar 2024 08:09:10 +0000");
        assertThat(notice.getHeader("To")).isNull();
        assertThat(notice.getHeader("Message-ID")).isNull();
        assertThat(notice.getSubject()).startsWith(DenyNotice.SUBJECT_PREFIX);
    }

    @Test
    void renderShouldDropValuesThatDoNotParse() throws Exception {
        MimeMessage notice = renderAndParse(bytes(
            "From: <<not an address",
            "Date: yesterday-ish",
            "Message-ID: no-angle-brackets",
            "Subject: hello",
            "",
            "body"), REASON);

        assertThat(notice.getHeader("From", null)).isEqualTo(DenyNotice.FALLBACK_FROM);
        assertThat(notice.getHeader("Date", null)).isEqualTo("Tue, 5 Mar 2024 08:09:10 +0000");
        assertThat(notice.getHeader("Message-ID")).isNull();
        assertThat(notice.getSubject()).isEqualTo("[Denied] hello");
    }

    @Test
    void renderShouldNotLetTheReasonInjectHeaders() throws Exception {
        byte[] notice = DenyNotice.render(SIMPLE, "bad\r\nBcc: eve@example.com\r\n\r\nfake body", NOW);

        assertThat(headerOf(notice)).doesNotContain("\r\nBcc:");
        assertThat(parse(notice).getHeader(DenyNotice.DENIED_HEADER, null)).isEqualTo("bad Bcc: eve@example.com fake body");
    }

    @Test
    void renderShouldUseADefaultReasonWhenNoneIsGiven() throws Exception {
        assertThat(renderAndParse(SIMPLE, " ").getHeader(DenyNotice.DENIED_HEADER, null)).isEqualTo(DenyNotice.DEFAULT_REASON);
    }

    @Test
    void renderShouldFoldLongHeaderFields() {
        String longSubject = "Subject: " + "word ".repeat(60);
        byte[] notice = DenyNotice.render(bytes("From: a@example.com", longSubject.trim(), "", "body"), "x".repeat(40), NOW);

        assertThat(Splitter.on("\r\n").split(headerOf(notice))).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(78));
    }

    @Test
    void renderShouldBeAPureFunctionOfItsArguments() {
        assertThat(Arrays.equals(DenyNotice.render(SIMPLE, REASON, NOW), DenyNotice.render(SIMPLE, REASON, NOW))).isTrue();
    }
}
