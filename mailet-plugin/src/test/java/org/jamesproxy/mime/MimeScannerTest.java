package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.mime.MimeSamples.CRLF;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.message;
import static org.jamesproxy.mime.MimeSamples.multipartBody;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.pdf;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jamesproxy.MessageFixtures;
import org.jamesproxy.mailet.action.PartPath;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MimeScannerTest {
    private static final MimeScanner.Options EVERYTHING = new MimeScanner.Options(true, true, true, ContentTypeDetector.forTypes(type -> true));

    private static List<MimeItem> scan(byte[] message, MimeLimits limits, MimeScanner.Options options) throws Exception {
        List<MimeItem> items = new ArrayList<>();
        new MimeScanner(limits, options).scan(MessageFixtures.parse(message), items::add);
        return items;
    }

    private static List<MimeItem> scan(byte[] message) throws Exception {
        return scan(message, MimeLimits.DEFAULT, EVERYTHING);
    }

    private static UnscannableException unscannable(byte[] message, MimeLimits limits) {
        return (UnscannableException) org.assertj.core.api.Assertions.catchThrowable(() -> scan(message, limits, EVERYTHING));
    }

    private static UnscannableException unscannable(byte[] message) {
        return unscannable(message, MimeLimits.DEFAULT);
    }

    private static PartPath path(Integer... indexes) {
        return PartPath.of(List.of(indexes));
    }

    @Nested
    class Walking {
        @Test
        void singlePartMessageIsOneItemAtTheRoot() throws Exception {
            List<MimeItem> items = scan(message("Content-Type: text/plain", "hello"));

            assertThat(items).hasSize(1);
            assertThat(items.get(0).getPart()).isEqualTo(PartPath.ROOT);
            assertThat(items.get(0).getDeclaredType()).contains("text/plain");
            assertThat(items.get(0).getDetectedTypes()).as("plain text has no magic number").isEmpty();
        }

        @Test
        void missingContentTypeIsTextPlainAndInvalidOneIsOctetStream() throws Exception {
            assertThat(scan(message("X-Nothing: 1", "hello")).get(0).getDeclaredType()).contains("text/plain");
            assertThat(scan(message("Content-Type: garbage", "hello")).get(0).getDeclaredType()).contains("application/octet-stream");
        }

        @Test
        void nestedMultipartsAndAttachedMessagesGetTheirPaths() throws Exception {
            String inner = "Content-Type: multipart/alternative; boundary=\"inner\"" + CRLF + CRLF
                + multipartBody("inner", textPart("plain"), "Content-Type: text/html" + CRLF + CRLF + "<p>html</p>");
            String attachedMessage = "Content-Type: message/rfc822" + CRLF + CRLF
                + "Subject: attached" + CRLF
                + "Content-Type: multipart/mixed; boundary=\"deep\"" + CRLF + CRLF
                + multipartBody("deep", textPart("deep text"),
                    attachment(exe(), "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"x.exe\""));
            List<MimeItem> items = scan(multipartMessage("outer", inner, attachedMessage));

            assertThat(items).extracting(MimeItem::getPart)
                .containsExactly(path(0, 0), path(0, 1), path(1, 0, 0), path(1, 0, 1));
            assertThat(items.get(1).getDeclaredType()).contains("text/html");
            assertThat(items.get(3).getFilenames()).containsExactly("x.exe");
            assertThat(items.get(3).getDetectedTypes()).contains("application/x-msdownload");
            assertThat(items.get(3).getPart().toString()).isEqualTo("2.1.2");
        }

        @Test
        void withoutContentOptionsNothingIsDecoded() throws Exception {
            byte[] broken = multipartMessage("b", attachment("not base64 at all!".getBytes(),
                "Content-Type: application/octet-stream; name=a.bin"));

            List<MimeItem> items = scan(broken, MimeLimits.DEFAULT, MimeScanner.Options.namesOnly());

            assertThat(items).hasSize(1);
            assertThat(items.get(0).getDetectedTypes()).isEmpty();
            assertThat(items.get(0).getFilenames()).containsExactly("a.bin");
        }

        @Test
        void archiveEntriesAreItemsOfTheArchivePart() throws Exception {
            Map<String, byte[]> innerEntries = new LinkedHashMap<>();
            innerEntries.put("dir/evil.exe", exe());
            Map<String, byte[]> outerEntries = new LinkedHashMap<>();
            outerEntries.put("readme.txt", "hello".getBytes());
            outerEntries.put("inner.zip", zip(innerEntries));
            byte[] message = multipartMessage("b", textPart("see attached"),
                attachment(zip(outerEntries), "Content-Type: application/zip; name=outer.zip"));

            List<MimeItem> items = scan(message);

            assertThat(items).extracting(MimeItem::describe).containsExactly(
                "part 1", "part 2", "part 2, archive entry readme.txt", "part 2, archive entry inner.zip",
                "part 2, archive entry inner.zip/dir/evil.exe");
            MimeItem evil = items.get(4);
            assertThat(evil.getPart()).isEqualTo(path(1));
            assertThat(evil.getFilenames()).containsExactly("dir/evil.exe", "evil.exe");
            assertThat(evil.getDeclaredType()).isEmpty();
            assertThat(evil.getDetectedTypes()).contains("application/x-msdownload");
            assertThat(items.get(3).getDetectedTypes()).contains("application/zip");
        }
    }

    @Nested
    class Bounds {
        @Test
        void mimeDepthBeyondTheLimitIsUnscannable() throws Exception {
            String body = textPart("bottom");
            for (int level = 0; level < 5; level++) {
                body = "Content-Type: multipart/mixed; boundary=\"l" + level + "\"" + CRLF + CRLF + multipartBody("l" + level, body);
            }
            byte[] message = ("Subject: deep" + CRLF + body).getBytes();

            assertThat(scan(message, new MimeLimits(5, 1000, 65536, 1 << 20, 3, 100), EVERYTHING)).hasSize(1);
            UnscannableException tooDeep = unscannable(message, new MimeLimits(4, 1000, 65536, 1 << 20, 3, 100));
            assertThat(tooDeep.getMessage()).contains("maxDepth (4)");
            assertThat(tooDeep.getPart()).isEqualTo(path(0, 0, 0, 0));
        }

        @Test
        void defaultDepthLimitIsTwenty() throws Exception {
            String body = textPart("bottom");
            for (int level = 0; level < 21; level++) {
                body = "Content-Type: multipart/mixed; boundary=\"l" + level + "\"" + CRLF + CRLF + multipartBody("l" + level, body);
            }
            byte[] message = ("Subject: deep" + CRLF + body).getBytes();

            assertThat(unscannable(message).getMessage()).contains("maxDepth (20)");
            assertThat(MimeLimits.DEFAULT.getMaxDepth()).isEqualTo(20);
        }

        @Test
        void tooManyPartsIsUnscannable() {
            String[] parts = new String[10];
            java.util.Arrays.fill(parts, textPart("x"));

            assertThat(unscannable(multipartMessage("b", parts), new MimeLimits(20, 10, 65536, 1 << 20, 3, 100)).getMessage())
                .contains("maxParts (10)");
        }

        @Test
        void oversizedPartHeaderIsUnscannable() {
            String bigHeader = "X-Filler: " + "a".repeat(2000);
            byte[] message = multipartMessage("b", bigHeader + CRLF + textPart("x"));

            UnscannableException e = unscannable(message, new MimeLimits(20, 100, 1024, 1 << 20, 3, 100));
            assertThat(e.getMessage()).contains("maxHeaderSize (1024");
            assertThat(e.getPart()).isEqualTo(path(0));
        }

        @Test
        void zipBombIsUnscannable() {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("zeros.bin", new byte[4 << 20]);
            byte[] bomb = zip(entries);
            assertThat(bomb.length).isLessThan(64 * 1024);

            UnscannableException e = unscannable(multipartMessage("b", attachment(bomb, "Content-Type: application/zip; name=z.zip")),
                new MimeLimits(20, 100, 65536, 1 << 20, 3, 100));

            assertThat(e.getMessage()).contains("maxDecodedSize");
            assertThat(e.getPart()).isEqualTo(path(0));
        }

        @Test
        void archiveNestingBeyondTheLimitIsUnscannable() {
            byte[] archive = zip(Map.of("evil.exe", exe()));
            for (int level = 0; level < 3; level++) {
                archive = zip(Map.of("level" + level + ".zip", archive));
            }
            byte[] message = multipartMessage("b", attachment(archive, "Content-Type: application/zip"));

            assertThat(unscannable(message).getMessage()).contains("maxArchiveDepth (3)").contains("level2.zip/level1.zip/level0.zip");
        }

        @Test
        void tooManyArchiveEntriesIsUnscannable() {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            for (int i = 0; i < 11; i++) {
                entries.put("f" + i + ".txt", new byte[] {'x'});
            }

            assertThat(unscannable(multipartMessage("b", attachment(zip(entries), "Content-Type: application/zip")),
                new MimeLimits(20, 100, 65536, 1 << 20, 3, 10)).getMessage()).contains("maxArchiveEntries (10)");
        }

        @Test
        void corruptArchiveIsUnscannable() {
            byte[] zip = zip(Map.of("a.txt", "hello hello hello hello".getBytes()));
            byte[] corrupt = java.util.Arrays.copyOf(zip, 40);

            assertThat(unscannable(multipartMessage("b", attachment(corrupt, "Content-Type: application/zip"))).getMessage())
                .contains("unreadable or encrypted ZIP archive");
        }
    }

    @Nested
    class HostileMime {
        /** amavis CVE-2024-28054: amavis used one boundary, the mail client the other. */
        @Test
        void severalBoundaryParametersAreUnscannable() {
            String visibleToFirst = multipartBody("first", textPart("harmless"));
            String visibleToSecond = multipartBody("second",
                attachment(exe(), "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=payload.exe"));
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"first\"; boundary=\"second\"",
                visibleToFirst + visibleToSecond);

            UnscannableException e = unscannable(message);

            assertThat(e.getMessage()).contains("several different boundary parameters: 'first', 'second'");
            assertThat(e.getPart()).isEqualTo(PartPath.ROOT);
        }

        @Test
        void boundaryAndExtendedBoundaryThatDifferAreUnscannable() {
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"a\"; boundary*=UTF-8''b",
                multipartBody("a", textPart("x")));

            assertThat(unscannable(message).getMessage()).contains("several different boundary parameters");
        }

        @Test
        void repeatedIdenticalBoundaryIsAccepted() throws Exception {
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"same\"; boundary=same",
                multipartBody("same", textPart("x")));

            assertThat(scan(message)).hasSize(1);
        }

        @Test
        void conflictingTransferEncodingsAreUnscannable() {
            byte[] message = multipartMessage("b", String.join(CRLF,
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                "TVqQAAMAAAAEAAAA"));

            UnscannableException e = unscannable(message);
            assertThat(e.getMessage()).contains("several different Content-Transfer-Encoding header fields");
            assertThat(e.getPart()).isEqualTo(path(0));
        }

        @Test
        void repeatedIdenticalTransferEncodingIsAccepted() throws Exception {
            byte[] message = multipartMessage("b", String.join(CRLF,
                "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64",
                "Content-Transfer-Encoding: BASE64",
                "",
                MimeSamples.base64(pdf())));

            assertThat(scan(message).get(0).getDetectedTypes()).contains("application/pdf");
        }

        @Test
        void conflictingContentTypesAreUnscannable() {
            byte[] message = multipartMessage("b", String.join(CRLF,
                "Content-Type: text/plain",
                "Content-Type: application/x-msdownload",
                "",
                "x"));

            assertThat(unscannable(message).getMessage()).contains("several different Content-Type header fields");
        }

        @Test
        void unknownTransferEncodingIsUnscannableWhenContentIsRead() {
            byte[] message = multipartMessage("b", String.join(CRLF, "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: x-rot13", "", "abc"));

            assertThat(unscannable(message).getMessage()).contains("unknown transfer encoding 'x-rot13'");
        }

        @Test
        void encodedMultipartIsUnscannable() {
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"b\"" + CRLF + "Content-Transfer-Encoding: base64",
                MimeSamples.base64(multipartBody("b", textPart("x")).getBytes()));

            assertThat(unscannable(message).getMessage()).contains("multipart/mixed part in transfer encoding 'base64'");
        }

        @Test
        void lineThatOnlyStartsWithTheBoundaryIsUnscannable() {
            // A parser matching boundaries as prefixes sees a third part starting at "--bX".
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"b\"",
                "--b" + CRLF + textPart("one") + CRLF
                    + "--bX" + CRLF + attachment(exe(), "Content-Type: application/octet-stream; name=p.exe") + CRLF
                    + "--b--" + CRLF);

            assertThat(unscannable(message).getMessage()).contains("starts with the boundary 'b' but is no delimiter");
        }

        @Test
        void nestedBoundaryExtendingTheOuterOneIsUnscannable() {
            String inner = "Content-Type: multipart/mixed; boundary=\"outer-2\"" + CRLF + CRLF + multipartBody("outer-2", textPart("x"));

            assertThat(unscannable(multipartMessage("outer", inner)).getMessage()).contains("boundary 'outer'");
        }

        @Test
        void partsAfterTheCloseDelimiterAreUnscannable() {
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"b\"",
                multipartBody("b", textPart("one"))
                    + "--b" + CRLF + attachment(exe(), "Content-Type: application/octet-stream; name=p.exe") + CRLF + "--b--" + CRLF);

            assertThat(unscannable(message).getMessage()).contains("follows the close delimiter");
        }

        @Test
        void delimitersWithTrailingBlanksAndMissingCloseDelimiterAreAccepted() throws Exception {
            byte[] message = message("Content-Type: multipart/mixed; boundary=\"b\"",
                "--b  " + CRLF + textPart("one") + CRLF + "--b\t" + CRLF + textPart("two") + CRLF);

            assertThat(scan(message)).hasSize(2);
        }

        @Test
        void base64WithForeignCharactersIsUnscannable() {
            String broken = MimeSamples.base64(exe()).replaceFirst("AAAA", "AA*A");
            byte[] message = multipartMessage("b", String.join(CRLF, "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64", "", broken));

            UnscannableException e = unscannable(message);
            assertThat(e.getMessage()).contains("undecodable base64 content");
            assertThat(e.getPart()).isEqualTo(path(0));
        }

        @Test
        void base64WithDataAfterThePaddingIsUnscannable() {
            // Lenient decoders either stop at "=" (harmless text) or skip it and go on (the executable).
            String broken = MimeSamples.base64("hi".getBytes()) + CRLF + MimeSamples.base64(exe());
            byte[] message = multipartMessage("b", String.join(CRLF, "Content-Type: application/octet-stream",
                "Content-Transfer-Encoding: base64", "", broken));

            assertThat(unscannable(message).getMessage()).contains("undecodable base64 content");
        }

        @Test
        void conflictingFilenamesAreAllCandidates() throws Exception {
            byte[] message = multipartMessage("b", attachment(pdf(),
                "Content-Type: application/pdf; name=\"invoice.exe\"",
                "Content-Disposition: attachment; filename=\"invoice.pdf\"; filename*=UTF-8''invoice.scr",
                "Content-Disposition: inline; filename=\"other.js\""));

            assertThat(scan(message).get(0).getFilenames())
                .containsExactlyInAnyOrder("invoice.pdf", "invoice.scr", "other.js", "invoice.exe");
        }

        @Test
        void fileSystemVariantsOfANameAreCandidates() throws Exception {
            byte[] message = multipartMessage("b", attachment(pdf(),
                "Content-Type: application/pdf",
                "Content-Disposition: attachment; filename=\"C:\\\\temp\\\\evil.exe. .\""));

            assertThat(scan(message).get(0).getFilenames()).containsExactly("C:\\temp\\evil.exe. .", "evil.exe");
        }
    }
}
