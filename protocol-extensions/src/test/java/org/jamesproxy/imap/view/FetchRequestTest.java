package org.jamesproxy.imap.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.jamesproxy.imap.view.ViewItem.Kind;
import org.jamesproxy.imap.view.ViewItem.SectionText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FetchRequestTest {

    @Test
    void thunderbirdChunkSplitsSizeAndBodyFromUid() {
        FetchRequest request = FetchRequest.parse("(UID RFC822.SIZE BODY.PEEK[]<65536.65536>)");
        assertThat(request.needsView()).isTrue();
        assertThat(request.setsSeen()).isFalse();
        assertThat(request.asksUid()).isTrue();
        assertThat(request.upstreamItems()).isEqualTo("(UID)");
        assertThat(request.viewItems()).extracting(ViewItem::responseName).containsExactly("RFC822.SIZE", "BODY[]<65536>");
        ViewItem chunk = request.viewItems().get(1);
        assertThat(chunk.origin()).hasValue(65536);
        assertThat(chunk.count()).hasValue(65536);
        assertThat(chunk.peek()).isTrue();
    }

    @Test
    void listingKeepsFlagsAndEnvelopeUpstreamAndAddsUid() {
        FetchRequest request = FetchRequest.parse("(FLAGS ENVELOPE INTERNALDATE X-GM-MSGID MODSEQ BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID Content-Type)])");
        assertThat(request.upstreamItems()).isEqualTo("(FLAGS ENVELOPE INTERNALDATE X-GM-MSGID MODSEQ UID)");
        assertThat(request.asksUid()).isFalse();
        ViewItem fields = request.viewItems().get(0);
        assertThat(fields.text()).isEqualTo(SectionText.HEADER_FIELDS);
        assertThat(fields.fieldNames()).containsExactly("From", "To", "Cc", "Subject", "Date", "Message-ID", "Content-Type");
        assertThat(fields.responseName()).isEqualTo("BODY[HEADER.FIELDS (From To Cc Subject Date Message-ID Content-Type)]");
    }

    @Test
    void onlyFlagsNeedsNoView() {
        FetchRequest request = FetchRequest.parse("(UID FLAGS)");
        assertThat(request.needsView()).isFalse();
        assertThat(request.upstreamItems()).isEqualTo("(UID FLAGS)");
    }

    @Test
    void macrosExpand() {
        assertThat(FetchRequest.parse("all").upstreamItems()).isEqualTo("(FLAGS INTERNALDATE ENVELOPE UID)");
        assertThat(FetchRequest.parse("FAST").viewItems()).extracting(ViewItem::kind).containsExactly(Kind.RFC822_SIZE);
        assertThat(FetchRequest.parse("FULL").viewItems()).extracting(ViewItem::kind).containsExactly(Kind.RFC822_SIZE, Kind.BODY);
    }

    @Test
    void sectionsAreParsedWithTheirPartPath() {
        List<ViewItem> items = FetchRequest.parse("(body[2.MIME] BODY.PEEK[2] body.peek[1.2.header] BODY[3.TEXT]<0.100> BINARY.PEEK[1.1] BINARY.SIZE[2] RFC822.TEXT)").viewItems();
        assertThat(items).extracting(ViewItem::responseName)
            .containsExactly("BODY[2.MIME]", "BODY[2]", "BODY[1.2.HEADER]", "BODY[3.TEXT]<0>", "BINARY[1.1]", "BINARY.SIZE[2]", "RFC822.TEXT");
        assertThat(items.get(2).part()).containsExactly(1, 2);
        assertThat(items.get(2).text()).isEqualTo(SectionText.HEADER);
        assertThat(items).extracting(ViewItem::setsSeen).containsExactly(true, false, false, true, false, false, true);
    }

    @Test
    void seenIsSetOnlyByNonPeekContent() {
        assertThat(FetchRequest.parse("BODY[]").setsSeen()).isTrue();
        assertThat(FetchRequest.parse("RFC822").setsSeen()).isTrue();
        assertThat(FetchRequest.parse("BINARY[1]").setsSeen()).isTrue();
        assertThat(FetchRequest.parse("RFC822.HEADER").setsSeen()).isFalse();
        assertThat(FetchRequest.parse("(BODY.PEEK[] BODYSTRUCTURE RFC822.SIZE)").setsSeen()).isFalse();
    }

    @Test
    void quotedHeaderNamesAreUnquoted() {
        ViewItem item = FetchRequest.parse("BODY.PEEK[HEADER.FIELDS.NOT (\"X-Spam Score\" Received)]").viewItems().get(0);
        assertThat(item.fieldNames()).containsExactly("X-Spam Score", "Received");
        assertThat(item.responseName()).isEqualTo("BODY[HEADER.FIELDS.NOT (\"X-Spam Score\" Received)]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "()", "(FLAGS", "FLAGS UID", "BODY[", "BODY[0]", "BODY[1.]", "BODY[MIME]", "BODY[FOO]",
        "BODY[]<1>", "BODY[]<1.0>", "BODY[]<a.b>", "BINARY[HEADER]", "BINARY.SIZE[1]<0.1>", "BODY[HEADER.FIELDS]",
        "BODY[HEADER.FIELDS ()]", "BODY.FOO[]", "RFC822.FOO", "(ALL)", "BODY[1]]", "(FLAGS))"})
    void badItemsAreRejectedWithAReason(String items) {
        assertThatThrownBy(() -> FetchRequest.parse(items)).isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("null");
    }

    @Test
    void anOverlongListIsRejected() {
        assertThatThrownBy(() -> FetchRequest.parse("(" + "FLAGS ".repeat(2000) + ")")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("longer than");
    }
}
