package org.jamesproxy.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FetchItemTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "* 1 FETCH (UID 4 BODY[] {120}|FULL_MESSAGE",
        "* 1 FETCH (FLAGS (\\Seen) RFC822 {120}|FULL_MESSAGE",
        "* 12 FETCH (BINARY[] ~{9}|FULL_MESSAGE",
        "* 1 FETCH (BODY[]<0> {1024}|PARTIAL",
        "* 1 FETCH (BODY[1.2] {10}|PARTIAL",
        "* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {10}|HEADER",
        "* 1 FETCH (BODY[HEADER] {10}|HEADER",
        "* 1 FETCH (RFC822.HEADER {10}|HEADER",
        "* 1 FETCH (BODY[1.HEADER] {10}|PARTIAL",
        "* 1 FETCH (RFC822.TEXT {10}|PARTIAL",
        "* 1 FETCH (ENVELOPE (NIL {5}|OTHER",
        "* 1 FETCH (UID 4 BODY[] {120} X {5}|OTHER"
    })
    void classifyShouldTellWholeMessagesFromParts(String segment, FetchItem expected) {
        assertThat(FetchItem.classify(segment + "\r\n")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "* 1 FETCH (UID 4 BODY[] {120}|'* 1 FETCH (UID 4 BODY[] '",
        "* 12 FETCH (BINARY[] ~{9}|'* 12 FETCH (BINARY[] '"
    })
    void withoutLiteralShouldKeepEverythingBeforeTheAnnouncement(String segment, String expected) {
        assertThat(FetchItem.withoutLiteral(segment + "\r\n")).isEqualTo(expected);
    }
}
