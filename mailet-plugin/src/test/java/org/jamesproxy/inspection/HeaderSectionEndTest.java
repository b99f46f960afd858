package org.jamesproxy.inspection;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import javax.mail.util.SharedByteArrayInputStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The byte scan for the end of the header section must agree with javax.mail's own header parsing, byte for byte. */
class HeaderSectionEndTest {
    static Stream<String> messages() {
        return Stream.of(
            "Subject: a\r\nFrom: b@c\r\n\r\nbody\r\n",
            "Subject: a\nFrom: b@c\n\nbody\n",
            "Subject: a\rFrom: b@c\r\rbody\r",
            "Subject: a\r\n folded\r\n\tagain\r\nX: y\r\n\r\n\r\nbody after an empty first body line\r\n",
            "Subject: a\r\n \r\nX: whitespace-only continuation line above\r\n\r\nbody\r\n",
            "Subject: a\r\nX: mixed\n\r\nbody\r\n",
            "Subject: a\r\r\nbody after CR CRLF\r\n",
            "Subject: a\r\r\n\r\nbody after CR CR LF, then an empty line\r\n",
            "Subject: a\r\r\rX: three CRs\r\n\r\nbody\r\n",
            "Subject: a\r\n\r\r\nbody\r\n",
            "\r\nno headers at all\r\n",
            "\nno headers, LF\n",
            "Subject: no empty line and no body",
            "Subject: ends with CRLF only\r\n",
            "",
            "Subject: a\r\n\r\n",
            "Subject: 8-bit \u00e9\u00e8 header\r\n\r\nbody");
    }

    @ParameterizedTest
    @MethodSource("messages")
    void scanShouldEndWhereJavaMailsHeaderParsingEnds(String text) throws Exception {
        byte[] message = text.getBytes(ISO_8859_1);
        SharedByteArrayInputStream in = new SharedByteArrayInputStream(message);
        new OrderPreservingHeaders(in);

        assertThat(InspectedMessage.headerSectionEnd(message)).isEqualTo((int) in.getPosition());
    }
}
