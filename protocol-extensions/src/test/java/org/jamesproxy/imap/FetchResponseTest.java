package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The upstream FETCH responses the view fetch takes apart, and the sequence sets it matches them against. */
class FetchResponseTest {
    private static FetchResponse parse(String response) {
        return FetchResponse.parse(response.getBytes(ISO_8859_1)).orElseThrow();
    }

    @Test
    void itemsShouldBeCutAtTheirBoundariesWhateverTheirValues() {
        FetchResponse response = parse("* 12 FETCH (UID 7 FLAGS (\\Seen $Label) ENVELOPE (\"Mon\" {5}\r\na) b(c NIL)"
            + " BODY[HEADER.FIELDS (SUBJECT DATE)] {3}\r\nx\r\n MODSEQ (42) X-GM-LABELS (\"a \\\" b\"))\r\n");

        assertThat(response.sequenceNumber()).isEqualTo(12);
        assertThat(response.uid()).hasValue(7);
        assertThat(response.items()).extracting(FetchResponse.Item::name)
            .containsExactly("UID", "FLAGS", "ENVELOPE", "BODY[HEADER.FIELDS (SUBJECT DATE)]", "MODSEQ", "X-GM-LABELS");
        assertThat(new String(response.items().get(2).value(), ISO_8859_1)).isEqualTo("(\"Mon\" {5}\r\na) b(c NIL)");
        assertThat(response.items().get(3).isContent()).isTrue();
        assertThat(response.items().get(1).isContent()).isFalse();
    }

    @Test
    void somethingElseShouldNotParse() {
        assertThat(FetchResponse.parse("* 3 EXPUNGE\r\n".getBytes(ISO_8859_1))).isEmpty();
        assertThat(FetchResponse.parse("* 3 FETCH (UID {5}\r\nab".getBytes(ISO_8859_1))).isEmpty();
    }

    @Test
    void sequenceSetsShouldMatchRangesStarsAndSearchResults() {
        assertThat(SequenceSet.parse("1:5,7,9:*").contains(4)).isTrue();
        assertThat(SequenceSet.parse("1:5,7,9:*").contains(6)).isFalse();
        assertThat(SequenceSet.parse("1:5,7,9:*").contains(1_000_000)).isTrue();
        assertThat(SequenceSet.parse("8:3").contains(5)).isTrue();
        assertThat(SequenceSet.parse("$").contains(99)).isTrue();
    }
}
