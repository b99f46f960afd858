package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.imap.view.ViewAnswers.answer;
import static org.jamesproxy.imap.view.ViewAnswers.literal;
import static org.jamesproxy.imap.view.ViewAnswers.value;
import static org.jamesproxy.imap.view.ViewAnswers.view;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Sections cut by hand-checked RFC 3501 §6.4.5 rules (the same messages are compared with James in
 * integration-tests' InspectedViewAgainstJamesTest).
 */
class InspectedViewTest {

    @Test
    void wholeHeaderAndTextOfASimpleMessage() {
        InspectedView view = view(ViewMessages.SIMPLE);
        String header = ViewMessages.SIMPLE.substring(0, ViewMessages.SIMPLE.indexOf("\r\n\r\n") + 4);
        assertThat(literal(view, "BODY.PEEK[]")).isEqualTo(ViewMessages.SIMPLE);
        assertThat(literal(view, "RFC822")).isEqualTo(ViewMessages.SIMPLE);
        assertThat(literal(view, "BODY[HEADER]")).isEqualTo(header);
        assertThat(literal(view, "RFC822.HEADER")).isEqualTo(header);
        assertThat(literal(view, "BODY[TEXT]")).isEqualTo("Hello Alice,\r\ntwo lines.\r\n");
        assertThat(literal(view, "RFC822.TEXT")).isEqualTo("Hello Alice,\r\ntwo lines.\r\n");
        assertThat(value(view, "RFC822.SIZE")).isEqualTo(Long.toString(ViewMessages.SIMPLE.length()));
    }

    @Test
    void partOneOfANonMultipartMessageIsItsBodyAndItsMimeHeaderIsTheMessageHeader() {
        InspectedView view = view(ViewMessages.SIMPLE);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("Hello Alice,\r\ntwo lines.\r\n");
        assertThat(literal(view, "BODY.PEEK[1.MIME]")).startsWith("From: Bob").endsWith("<simple@example.org>\r\n\r\n");
        assertThat(value(view, "BODY.PEEK[2]")).isEqualTo("{0}\r\n");
        assertThat(value(view, "BODY.PEEK[1.1]")).isEqualTo("{0}\r\n");
    }

    @Test
    void partsOfAMultipartExcludeTheLineBreakBeforeTheDelimiter() {
        InspectedView view = view(ViewMessages.MIXED);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("See the attachment.");
        assertThat(literal(view, "BODY.PEEK[2]")).isEqualTo("AAECAwQFBgcICQ==");
        assertThat(literal(view, "BODY.PEEK[1.MIME]"))
            .isEqualTo("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\nContent-Language: en\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[TEXT]")).startsWith("--b1\r\n").endsWith("--b1--\r\n");
        assertThat(value(view, "BODY.PEEK[3]")).isEqualTo("{0}\r\n");
        assertThat(value(view, "BINARY.PEEK[2]")).isEqualTo("~{10}\r\n\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009");
        assertThat(value(view, "BINARY.PEEK[2]<8.5>")).isEqualTo("~{2}\r\n\u0008\u0009");
        assertThat(value(view, "BINARY.SIZE[2]")).isEqualTo("10");
    }

    @Test
    void headerFieldsMatchCaseInsensitivelyAndKeepFoldedLinesThenTheBlankLine() {
        InspectedView view = view(ViewMessages.MIXED);
        assertThat(literal(view, "BODY.PEEK[HEADER.FIELDS (x-FOLDED SUBJECT)]"))
            .isEqualTo("Subject: mixed\r\nX-Folded: first\r\n second\r\n\tthird\r\n\r\n");
        assertThat(answer(view, "BODY.PEEK[HEADER.FIELDS (x-FOLDED SUBJECT)]")).startsWith("BODY[HEADER.FIELDS (x-FOLDED SUBJECT)] {");
        assertThat(literal(view, "BODY.PEEK[HEADER.FIELDS.NOT (from to x-folded content-type)]"))
            .isEqualTo("Subject: mixed\r\nMIME-Version: 1.0\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[HEADER.FIELDS (X-Absent)]")).isEqualTo("\r\n");
    }

    @Test
    void nestedAlternativeInsideMixed() {
        InspectedView view = view(ViewMessages.NESTED);
        assertThat(literal(view, "BODY.PEEK[1.1]")).isEqualTo("plain body");
        assertThat(literal(view, "BODY.PEEK[1.2]")).isEqualTo("<p>html body</p>");
        assertThat(literal(view, "BODY.PEEK[1.2.MIME]")).isEqualTo("Content-Type: text/html; charset=us-ascii\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[1]")).startsWith("--inner\r\n").endsWith("--inner--");
        assertThat(literal(view, "BODY.PEEK[2]")).isEqualTo("JVBERi0xLjQK");
        assertThat(literal(view, "BINARY.PEEK[2]")).isEqualTo("%PDF-1.4\n");
        assertThat(value(view, "BINARY.SIZE[2]")).isEqualTo("9");
    }

    @Test
    void encapsulatedMessageSectionsNameItsHeaderTextAndParts() {
        InspectedView view = view(ViewMessages.RFC822_ATTACHED);
        String inner = ViewMessages.RFC822_ATTACHED.substring(ViewMessages.RFC822_ATTACHED.indexOf("From: \"Carol"),
            ViewMessages.RFC822_ATTACHED.indexOf("\r\n--fw--"));
        assertThat(literal(view, "BODY.PEEK[2]")).isEqualTo(inner);
        assertThat(literal(view, "BODY.PEEK[2.HEADER]")).isEqualTo(inner.substring(0, inner.indexOf("\r\n\r\n") + 4));
        assertThat(literal(view, "BODY.PEEK[2.TEXT]")).isEqualTo(inner.substring(inner.indexOf("\r\n\r\n") + 4));
        assertThat(literal(view, "BODY.PEEK[2.MIME]")).isEqualTo("Content-Type: message/rfc822\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[2.HEADER.FIELDS (subject CC)]"))
            .isEqualTo("Cc: undisclosed-recipients:;\r\nSubject: inner subject\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[2.1]")).isEqualTo("inner plain");
        assertThat(literal(view, "BODY.PEEK[2.2]")).isEqualTo("<b>inner=20html</b>=\r\nsoft");
        assertThat(literal(view, "BINARY.PEEK[2.2]")).isEqualTo("<b>inner html</b>soft");
        // HEADER/TEXT after a part number need a message/rfc822 part
        assertThat(value(view, "BODY.PEEK[1.HEADER]")).isEqualTo("{0}\r\n");
    }

    @Test
    void aPartWithoutHeaderFieldsHasItsBlankLineAsMimeHeader() {
        InspectedView view = view(ViewMessages.NO_PART_HEADERS);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("a part without any header");
        assertThat(literal(view, "BODY.PEEK[1.MIME]")).isEqualTo("\r\n");
        assertThat(literal(view, "BODY.PEEK[2]")).isEqualTo("second");
    }

    @Test
    void preambleAndEpilogueBelongToNoPart() {
        InspectedView view = view(ViewMessages.PREAMBLE_EPILOGUE);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("only part");
        assertThat(value(view, "BODY.PEEK[2]")).isEqualTo("{0}\r\n");
        assertThat(literal(view, "BODY.PEEK[TEXT]")).startsWith("This is the preamble.").endsWith("This is the epilogue.\r\n");
    }

    @Test
    void bareLineFeedsAreLineBreaksToo() {
        String message = "Subject: lf\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\none\ntwo\n--x--\n";
        InspectedView view = view(message);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("one\ntwo");
        assertThat(literal(view, "BODY.PEEK[1.MIME]")).isEqualTo("Content-Type: text/plain\n\n");
        assertThat(literal(view, "BODY.PEEK[HEADER]")).isEqualTo("Subject: lf\nContent-Type: multipart/mixed; boundary=x\n\n");
    }

    @Test
    void partialWindowsCutTheSectionAndAnOriginPastTheEndIsEmpty() {
        InspectedView view = view(ViewMessages.MIXED);
        assertThat(answer(view, "BODY.PEEK[1]<4.3>")).isEqualTo("BODY[1]<4> {3}\r\nthe");
        assertThat(answer(view, "BODY.PEEK[1]<10.1000>")).isEqualTo("BODY[1]<10> {9}\r\ntachment.");
        assertThat(answer(view, "BODY.PEEK[1]<19.5>")).isEqualTo("BODY[1]<19> {0}\r\n");
        assertThat(answer(view, "BODY.PEEK[1]<500.5>")).isEqualTo("BODY[1]<500> {0}\r\n");
        assertThat(answer(view, "BODY[2.MIME]<0.12>")).isEqualTo("BODY[2.MIME]<0> {12}\r\nContent-Type");
    }

    @Test
    void severalItemsAreSpaceSeparatedInTheClientsOrder() {
        InspectedView view = view(ViewMessages.SIMPLE);
        FetchRequest request = FetchRequest.parse("(RFC822.SIZE FLAGS BODY.PEEK[1]<0.5> BODYSTRUCTURE)");
        ByteBuf out = Unpooled.buffer();
        view.writeItems(request.viewItems(), out);
        assertThat(out.toString(ISO_8859_1)).isEqualTo("RFC822.SIZE " + ViewMessages.SIMPLE.length() + " BODY[1]<0> {5}\r\nHello"
            + " BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 26 2 NIL NIL NIL NIL)");
        out.release();
    }

    @Test
    void bodyStructureOfAnAttachedMessageCarriesItsEnvelopeAndStructure() {
        String structure = value(view(ViewMessages.RFC822_ATTACHED), "BODYSTRUCTURE");
        assertThat(structure).contains("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 516 (\"Sat, 5 Dec 2026 09:00:00 +0100\" \"inner subject\""
            + " ((\"Carol C.\" NIL \"carol\" \"example.org\"))");
        assertThat(structure).contains("((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))");
        assertThat(structure).contains("\"QUOTED-PRINTABLE\" 26 1 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"boundary\" \"in\") NIL NIL NIL) 21 NIL NIL NIL NIL)");
    }

    @Test
    void aMessageThatCannotBeParsedStillYieldsAValidAnswer() {
        StringBuilder deep = new StringBuilder("Subject: deep\r\n");
        for (int i = 0; i < 200; i++) {
            deep.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b").append(i).append("\r\n");
        }
        deep.append("\r\ncore\r\n");
        InspectedView view = view(deep.toString());
        assertThat(value(view, "BODYSTRUCTURE")).startsWith("(").endsWith(")");
        assertThat(literal(view, "BODY.PEEK[]")).isEqualTo(deep.toString());

        InspectedView noDelimiter = view("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiter here\r\n");
        assertThat(value(noDelimiter, "BODYSTRUCTURE")).startsWith("(\"TEXT\" \"PLAIN\"");
        assertThat(literal(noDelimiter, "BODY.PEEK[1]")).isEqualTo("no delimiter here\r\n");

        InspectedView garbage = view("\u0000\u0001 not a header\r\n\r\n\u00ff");
        assertThat(value(garbage, "BODY")).startsWith("(\"TEXT\" \"PLAIN\"");
    }

    @Test
    void binaryOfAnUnknownTransferEncodingIsNilAndFlagged() {
        InspectedView view = view("Content-Type: multipart/mixed; boundary=u\r\n\r\n--u\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n--u--\r\n");
        List<ViewItem> items = FetchRequest.parse("BINARY.PEEK[1]").viewItems();
        assertThat(view.unknownTransferEncoding(items)).isTrue();
        assertThat(value(view, "BINARY.PEEK[1]")).isEqualTo("NIL");
        assertThat(view.unknownTransferEncoding(FetchRequest.parse("BODY.PEEK[1]").viewItems())).isFalse();
    }

    @Test
    void binaryWithANulIsALiteral8() {
        InspectedView view = view("Content-Type: multipart/mixed; boundary=n\r\n\r\n--n\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--n--\r\n");
        assertThat(value(view, "BINARY[1]")).isEqualTo("~{3}\r\n\u0000\u0001\u0002");
    }

    @Test
    void aSpilledViewAnswersExactlyLikeAnInMemoryOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.eml");
        Files.write(file, ViewMessages.RFC822_ATTACHED.getBytes(ISO_8859_1));
        MessageBytes spilled = MessageBytes.spilled(file);
        InspectedView fromFile = InspectedView.of(spilled);
        InspectedView inMemory = view(ViewMessages.RFC822_ATTACHED);
        for (String item : List.of("BODY.PEEK[]", "BODY.PEEK[2.HEADER.FIELDS (Subject)]", "BODYSTRUCTURE", "BODY.PEEK[2.2]<3.7>", "BINARY[2.2]")) {
            assertThat(answer(fromFile, item)).as(item).isEqualTo(answer(inMemory, item));
        }
        spilled.release();
        assertThat(file).doesNotExist();
        assertThat(answer(fromFile, "BODY.PEEK[2.1]")).as("still readable after release").isEqualTo(answer(inMemory, "BODY.PEEK[2.1]"));
        ((SpilledMessageBytes) spilled).closeNow(); // what the grace period ends with
        assertThatThrownBy(() -> answer(fromFile, "BODY.PEEK[2.1]")).isInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void aTopLevelMessageRfc822NumbersItsPartsFromTheEncapsulatedMessage() {
        InspectedView view = view(ViewMessages.TOP_LEVEL_RFC822);
        String inner = ViewMessages.TOP_LEVEL_RFC822.substring(ViewMessages.TOP_LEVEL_RFC822.indexOf("\r\n\r\n") + 4);
        assertThat(literal(view, "BODY.PEEK[TEXT]")).isEqualTo(inner);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("inner body\r\nline two\r\n");
        assertThat(literal(view, "BODY.PEEK[1.MIME]")).isEqualTo(inner.substring(0, inner.indexOf("\r\n\r\n") + 4));
        assertThat(value(view, "BODY.PEEK[1.1]")).isEqualTo("{0}\r\n");
    }

    @Test
    void digestPartsAreMessagesByDefault() {
        InspectedView view = view(ViewMessages.DIGEST);
        assertThat(literal(view, "BODY.PEEK[1]")).isEqualTo("From: one@example.org\r\nSubject: first\r\n\r\nfirst body");
        assertThat(literal(view, "BODY.PEEK[1.MIME]")).isEqualTo("\r\n");
        assertThat(literal(view, "BODY.PEEK[1.HEADER]")).isEqualTo("From: one@example.org\r\nSubject: first\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[1.1]")).isEqualTo("first body");
        assertThat(literal(view, "BODY.PEEK[1.1.MIME]")).isEqualTo("From: one@example.org\r\nSubject: first\r\n\r\n");
        assertThat(literal(view, "BODY.PEEK[2.MIME]")).isEqualTo("Content-Type: text/plain\r\n\r\n");
        assertThat(value(view, "BODYSTRUCTURE")).startsWith("((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 51 (NIL \"first\" ((NIL NIL \"one\" \"example.org\"))");
    }

    @Test
    void aMimeHeaderIsServedAsWrittenWithItsFoldedLines() {
        InspectedView view = view(ViewMessages.PARAMETERS);
        assertThat(literal(view, "BODY.PEEK[2.MIME]")).isEqualTo("Content-Type: application/pdf;\r\n name*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n"
            + "Content-Disposition: attachment;\r\n filename*0=\"very long \";\r\n filename*1=\"name.pdf\"; size=12\r\n"
            + "Content-Transfer-Encoding: BASE64\r\n\r\n");
        assertThat(literal(view, "BINARY.PEEK[2]")).as("the encoding name is case-insensitive").isEqualTo("%PDF-1.4\n");
        assertThat(value(view, "BODYSTRUCTURE")).contains("(\"attachment\" (\"filename\" \"very long name.pdf\" \"size\" \"12\"))")
            .contains("\"MIXED\" (\"boundary\" \"pp\" \"comment\" \"x=y\")")
            .contains("(\"charset\" \"ISO-8859-1\" \"format\" \"flowed\")");
    }

    @Test
    void manyPartsAndEightBitHeadersStayBoundedAndExact() {
        StringBuilder message = new StringBuilder("Subject: many\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n");
        for (int i = 0; i < 12_000; i++) {
            message.append("--m\r\n\r\n").append(i).append("\r\n");
        }
        message.append("--m--\r\n");
        InspectedView view = view(message.toString());
        assertThat(literal(view, "BODY.PEEK[11]")).isEqualTo("10");
        assertThat(value(view, "BODYSTRUCTURE")).endsWith("\"MIXED\" (\"boundary\" \"m\") NIL NIL NIL)");
        assertThat(literal(view, "BODY.PEEK[]")).isEqualTo(message.toString());

        String eightBit = "Content-Type: multipart/mixed; boundary=e\r\n\r\n--e\r\nContent-Type: message/rfc822\r\n\r\n"
            + "Subject: caf\u00e9\r\n\r\nx\r\n--e--\r\n";
        assertThat(value(view(eightBit), "BODYSTRUCTURE")).as("the 8-bit subject goes out as its own bytes, in a literal")
            .contains(" (NIL {4}\r\ncaf\u00e9 NIL NIL NIL NIL NIL NIL NIL NIL) ");
    }
}
