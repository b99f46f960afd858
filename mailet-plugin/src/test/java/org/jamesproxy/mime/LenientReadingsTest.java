package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.MessageFixtures;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The lenient readings of hostile MIME, one construction at a time, below the rule mailets. */
class LenientReadingsTest {
    private static String qp(String encoded) throws Exception {
        try (LenientQuotedPrintableInputStream in = new LenientQuotedPrintableInputStream(
            new ByteArrayInputStream(encoded.getBytes(StandardCharsets.ISO_8859_1)))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static List<MimeItem> items(String message) throws Exception {
        List<MimeItem> items = new ArrayList<>();
        new MimeScanner(MimeLimits.DEFAULT, MimeScanner.Options.keepingContent(true))
            .scan(MessageFixtures.parse(message.getBytes(StandardCharsets.ISO_8859_1)), items::add);
        return items;
    }

    private static String content(MimeItem item) {
        return new String(item.getContent().orElseThrow(), StandardCharsets.ISO_8859_1);
    }

    @Nested
    class QuotedPrintable {
        @Test
        void softBreakFollowedByBlanksIsDroppedWithThem() throws Exception {
            assertThat(qp("abc= \r\ndef=\t \r\nghi=\r\njkl")).isEqualTo("abcdefghijkl");
        }

        @Test
        void softBreakWithBareLineFeed() throws Exception {
            assertThat(qp("abc=\ndef= \n")).isEqualTo("abcdef");
        }

        @Test
        void hexInEitherCaseAndLiteralEquals() throws Exception {
            assertThat(qp("=41=6a=3D x=zz =4")).isEqualTo("Aj= x=zz =4");
        }

        @Test
        void trailingBlanksBeforeAHardBreakArePadding() throws Exception {
            assertThat(qp("one  \r\ntwo\t\r\nthree  four")).isEqualTo("one\r\ntwo\r\nthree  four");
        }

        @Test
        void equalsBlanksThenTextIsKeptLiterally() throws Exception {
            assertThat(qp("a= b")).isEqualTo("a= b");
        }
    }

    @Nested
    class HeaderSections {
        @Test
        void base64RightAfterThePartHeaderIsTheBody() throws Exception {
            List<MimeItem> items = items("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=x.bin\r\nContent-Transfer-Encoding: base64\r\n"
                + "aGVsbG8gd29ybGQ=\r\n--b--\r\n");

            assertThat(items).singleElement().satisfies(item -> {
                assertThat(content(item)).isEqualTo("hello world");
                assertThat(item.isReadLeniently()).isTrue();
                assertThat(item.getFilenames()).containsExactly("x.bin");
            });
        }

        @Test
        void aContentFieldAfterTheBodyStartIsUnscannable() {
            assertThatThrownBy(() -> items("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\nnot a field\r\nContent-Type: application/x-msdownload\r\n\r\nMZ\r\n--b--\r\n"))
                .isInstanceOf(UnscannableException.class).hasMessageContaining("no header field");
        }

        @Test
        void encodingFoldedIntoTheContentTypeIsTheEncoding() throws Exception {
            List<MimeItem> items = items("MIME-Version: 1.0\r\nContent-Type: application/octet-stream; name=x.bin;\r\n"
                + " Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n");

            assertThat(items).singleElement().satisfies(item -> {
                assertThat(content(item)).isEqualTo("hello world");
                assertThat(item.getFilenames()).containsExactly("x.bin");
            });
        }

        @Test
        void aFoldedEncodingContradictingTheRealOneIsUnscannable() {
            assertThatThrownBy(() -> items("MIME-Version: 1.0\r\nContent-Type: application/octet-stream;\r\n"
                + " Content-Transfer-Encoding: base64\r\nContent-Transfer-Encoding: 7bit\r\n\r\naGVsbG8=\r\n"))
                .isInstanceOf(UnscannableException.class).hasMessageContaining("Content-Transfer-Encoding");
        }

        @Test
        void ordinaryFoldedHeadersAreNotTouched() throws Exception {
            List<MimeItem> items = items("MIME-Version: 1.0\r\nSubject: a long\r\n subject\r\nContent-Type: text/plain;\r\n"
                + " charset=us-ascii\r\n\r\nhello\r\n");

            assertThat(items).singleElement().satisfies(item -> assertThat(item.isReadLeniently()).isFalse());
        }
    }

    @Nested
    class MultipartLikeTypes {
        @Test
        void singlepartWithBoundaryIsAlsoSplit() throws Exception {
            List<MimeItem> items = items("MIME-Version: 1.0\r\nContent-Type: singlepart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream; name=x.exe\r\n\r\nMZ\r\n--b--\r\n");

            assertThat(items).extracting(item -> item.getPart().toString(), MimeItem::getFilenames).containsExactly(
                org.assertj.core.groups.Tuple.tuple("message", List.of()),
                org.assertj.core.groups.Tuple.tuple("1", List.of()),
                org.assertj.core.groups.Tuple.tuple("2", List.of("x.exe")));
        }

        @Test
        void aBoundaryParameterWithoutDelimitersIsJustALeaf() throws Exception {
            assertThat(items("MIME-Version: 1.0\r\nContent-Type: text/plain; boundary=b\r\n\r\nno delimiter here\r\n")).hasSize(1);
        }

        @Test
        void nestedMultipartCutByTheOuterBoundaryIsUnscannable() {
            assertThatThrownBy(() -> items("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n"
                + "--outer\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                + "--outer\r\nContent-Type: text/plain\r\n\r\nx\r\n--inner\r\nContent-Type: text/plain\r\n\r\ny\r\n--inner--\r\n--outer--\r\n"))
                .isInstanceOf(UnscannableException.class).hasMessageContaining("close delimiter of boundary 'inner'");
        }
    }

    @Nested
    class Embedded {
        @Test
        void uuencodeBlock() throws Exception {
            // "Cat" uuencoded.
            List<EmbeddedFiles.File> files = EmbeddedFiles.find("hello\r\nbegin 644 cat.txt\r\n#0V%T\r\n`\r\nend\r\n".getBytes(), 1000);

            assertThat(files).singleElement().satisfies(file -> {
                assertThat(file.kind).isEqualTo(EmbeddedFiles.Kind.UUENCODE);
                assertThat(file.name).isEqualTo("cat.txt");
                assertThat(new String(file.content, StandardCharsets.US_ASCII)).isEqualTo("Cat");
            });
        }

        @Test
        void yencBlock() throws Exception {
            StringBuilder encoded = new StringBuilder();
            for (char c : "hello".toCharArray()) {
                encoded.append((char) ((c + 42) & 0xff));
            }
            byte[] text = ("=ybegin line=128 size=5 name=my file.txt\r\n" + encoded + "\r\n=yend size=5\r\n").getBytes(StandardCharsets.ISO_8859_1);

            assertThat(EmbeddedFiles.find(text, 1000)).singleElement().satisfies(file -> {
                assertThat(file.name).isEqualTo("my file.txt");
                assertThat(new String(file.content, StandardCharsets.US_ASCII)).isEqualTo("hello");
            });
        }

        @Test
        void decodingIsBounded() {
            StringBuilder text = new StringBuilder("begin 644 big.bin\r\n");
            for (int i = 0; i < 100; i++) {
                text.append("M").append("A".repeat(60)).append("\r\n");
            }
            assertThatThrownBy(() -> EmbeddedFiles.find(text.toString().getBytes(), 1000)).isInstanceOf(EmbeddedFiles.TooLargeException.class);
        }

        @Test
        void uuencodedFileInATextPartIsAnItemWithItsName() throws Exception {
            List<MimeItem> items = items("MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nsee\r\nbegin 644 run.exe\r\n#0V%T\r\n`\r\nend\r\n");

            assertThat(items).hasSize(2);
            assertThat(items.get(1).getFilenames()).containsExactly("run.exe");
            assertThat(items.get(1).getEmbedding()).contains("uuencoded");
            assertThat(items.get(1).describe()).isEqualTo("message body, uuencoded file run.exe");
        }
    }
}
