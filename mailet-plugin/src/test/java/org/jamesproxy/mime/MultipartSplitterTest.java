package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import javax.mail.util.SharedByteArrayInputStream;

import org.jamesproxy.mailet.action.PartPath;
import org.junit.jupiter.api.Test;

class MultipartSplitterTest {
    private static List<String> split(String body) throws Exception {
        SharedByteArrayInputStream shared = new SharedByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1));
        return MultipartSplitter.split(shared, "b", PartPath.ROOT).stream()
            .map(span -> read(shared.newStream(span.start, span.end)))
            .collect(Collectors.toList());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theLineBreakBeforeADelimiterBelongsToTheDelimiter() throws Exception {
        assertThat(split("preamble\r\n--b\r\nH: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n\r\n--b--\r\nepilogue\r\n"))
            .containsExactly("H: 1\r\n\r\none", "\r\ntwo\r\n");
    }

    @Test
    void bareLineFeedsDelimitersAtTheStartAndEmptyParts() throws Exception {
        assertThat(split("--b\n\nx\n--b\n--b\n\ny\n--b--")).containsExactly("\nx", "", "\ny");
    }

    @Test
    void missingCloseDelimiterEndsTheLastPartAtTheEnd() throws Exception {
        assertThat(split("--b\r\n\r\nlast\r\n")).containsExactly("\r\nlast\r\n");
    }

    @Test
    void boundaryLikeTextInsideALineIsContent() throws Exception {
        assertThat(split("--b\r\n\r\nsee --b here\r\n--b--\r\n")).containsExactly("\r\nsee --b here");
    }

    @Test
    void ambiguousDelimitersAreRefused() {
        assertThatThrownBy(() -> split("--b\r\n\r\none\r\n--bb\r\n\r\ntwo\r\n--b--\r\n"))
            .isInstanceOf(UnscannableException.class).hasMessageContaining("no delimiter");
        assertThatThrownBy(() -> split("--b\r\n\r\none\r\n--b--\r\n--b\r\n\r\nhidden\r\n--b--\r\n"))
            .hasMessageContaining("follows the close delimiter");
        assertThatThrownBy(() -> split("no delimiter at all\r\n"))
            .hasMessageContaining("no delimiter of boundary 'b'");
    }
}
