package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jamesproxy.relay.InputBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.common.collect.ImmutableList;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

class SmtpReplyTest {
    private static final int MAX_LINE = 64;

    private final InputBuffer buffer = new InputBuffer(ByteBufAllocator.DEFAULT, MAX_LINE);
    private final SmtpReply.Reader reader = new SmtpReply.Reader(buffer);

    @AfterEach
    void release() {
        buffer.release();
    }

    private void receive(String bytes) {
        buffer.add(Unpooled.copiedBuffer(bytes, ISO_8859_1));
    }

    @Nested
    class Reader {
        @Test
        void singleLineReplyShouldBeReadWithItsCodeAndText() throws Exception {
            receive("250 2.0.0 Ok\r\n");

            SmtpReply reply = reader.next();

            assertThat(reply.code()).isEqualTo(250);
            assertThat(reply.isPositive()).isTrue();
            assertThat(reply.lines()).containsExactly("250 2.0.0 Ok");
            assertThat(reply.texts()).containsExactly("2.0.0 Ok");
            assertThat(reader.next()).isNull();
            assertThat(buffer.hasBufferedBytes()).isFalse();
        }

        @Test
        void multiLineReplyShouldBeOneReplyEndingOnTheLineWithASpace() throws Exception {
            receive("250-mail.example.com Hello\r\n250-SIZE 10240000\r\n250-PIPELINING\r\n250 STARTTLS\r\n");

            SmtpReply reply = reader.next();

            assertThat(reply.lines()).containsExactly("250-mail.example.com Hello", "250-SIZE 10240000", "250-PIPELINING",
                "250 STARTTLS");
            assertThat(reply.texts()).containsExactly("mail.example.com Hello", "SIZE 10240000", "PIPELINING", "STARTTLS");
            assertThat(reader.next()).isNull();
        }

        @Test
        void replyShouldWaitForItsLastLineAcrossReads() throws Exception {
            receive("250-first\r\n25");
            assertThat(reader.next()).isNull();

            receive("0-second\r");
            assertThat(reader.next()).isNull();

            receive("\n250 last");
            assertThat(reader.next()).isNull();

            receive("\r\n");
            assertThat(reader.next().lines()).containsExactly("250-first", "250-second", "250 last");
        }

        @Test
        void byteByByteDeliveryShouldGiveTheSameReply() throws Exception {
            String wire = "220-greeting\r\n220 ESMTP ready\r\n";
            SmtpReply reply = null;
            for (char c : wire.toCharArray()) {
                assertThat(reply).isNull();
                receive(String.valueOf(c));
                reply = reader.next();
            }

            assertThat(reply.lines()).containsExactly("220-greeting", "220 ESMTP ready");
            assertThat(reply.wire()).isEqualTo(wire);
        }

        @Test
        void pipelinedRepliesShouldComeOutOneByOneInOrder() throws Exception {
            receive("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n554-5.7.1 no\r\n554 5.7.1 really not\r\n354 End data with <CR><LF>.<CR><LF>\r\n");

            assertThat(reader.next().texts()).containsExactly("2.1.0 Ok");
            assertThat(reader.next().texts()).containsExactly("2.1.5 Ok");
            SmtpReply refused = reader.next();
            assertThat(refused.code()).isEqualTo(554);
            assertThat(refused.lines()).hasSize(2);
            SmtpReply goAhead = reader.next();
            assertThat(goAhead.code()).isEqualTo(354);
            assertThat(goAhead.isPositive()).isFalse();
            assertThat(reader.next()).isNull();
        }

        @Test
        void bytesAfterAReplyShouldStayBufferedForTheNextOne() throws Exception {
            receive("220 ready\r\n250-partial");

            assertThat(reader.next().code()).isEqualTo(220);
            assertThat(reader.next()).isNull();
            assertThat(buffer.unconsumed().toString(ISO_8859_1)).isEqualTo("250-partial");
            assertThat(reader.buffer()).isSameAs(buffer);
        }

        @Test
        void bareCodeShouldBeACompleteReplyWithAnEmptyText() throws Exception {
            receive("250\r\n");

            SmtpReply reply = reader.next();

            assertThat(reply.lines()).containsExactly("250");
            assertThat(reply.texts()).containsExactly("");
        }

        @Test
        void emptyContinuationAndEmptyFinalTextsShouldBeKept() throws Exception {
            receive("250-\r\n250 \r\n");

            SmtpReply reply = reader.next();

            assertThat(reply.lines()).containsExactly("250-", "250 ");
            assertThat(reply.texts()).containsExactly("", "");
            assertThat(reply.wire()).isEqualTo("250-\r\n250 \r\n");
        }

        @Test
        void bareLfLineEndsShouldBeAcceptedAndWiredAsCrlf() throws Exception {
            receive("250-a\n250 b\n");

            SmtpReply reply = reader.next();

            assertThat(reply.lines()).containsExactly("250-a", "250 b");
            assertThat(reply.wire()).isEqualTo("250-a\r\n250 b\r\n");
        }

        @Test
        void nonAsciiTextShouldReachTheClientByteForByte() throws Exception {
            byte[] wire = {'2', '5', '0', ' ', 'c', 'a', 'f', (byte) 0xC3, (byte) 0xA9, ' ', (byte) 0xFF, '\r', '\n'};
            buffer.add(Unpooled.wrappedBuffer(wire));

            SmtpReply reply = reader.next();

            assertThat(reply.wire().getBytes(ISO_8859_1)).isEqualTo(wire);
        }

        @Test
        void lineOfExactlyTheLimitShouldBeRead() throws Exception {
            String line = "250 " + "x".repeat(MAX_LINE - 6) + "\r\n";
            assertThat(line).hasSize(MAX_LINE);
            receive(line);

            assertThat(reader.next().texts()).containsExactly("x".repeat(MAX_LINE - 6));
        }

        @Test
        void completeLineOverTheLimitShouldBeRefused() {
            receive("250 " + "x".repeat(MAX_LINE) + "\r\n");

            assertThatThrownBy(reader::next)
                .isInstanceOf(InputBuffer.LineTooLongException.class)
                .hasMessage("line longer than " + MAX_LINE + " bytes");
        }

        @Test
        void unterminatedLineOverTheLimitShouldBeRefusedWithoutWaitingForItsEnd() {
            receive("250-" + "x".repeat(MAX_LINE));

            assertThatThrownBy(reader::next).isInstanceOf(InputBuffer.LineTooLongException.class);
        }

        @Test
        void unterminatedLineWithinTheLimitShouldWait() throws Exception {
            receive("250-" + "x".repeat(MAX_LINE - 10));

            assertThat(reader.next()).isNull();
        }
    }

    @Nested
    class MalformedReplies {
        @ParameterizedTest
        @ValueSource(strings = {
            "hello\r\n",            // no code
            "25\r\n",               // too short
            "\r\n",                 // empty line
            "2a0 Ok\r\n",           // not all digits
            "-250 Ok\r\n",          // sign
            "250Ok\r\n",            // neither space nor hyphen after the code
            "250_Ok\r\n",
            "250\tOk\r\n",
            " 250 Ok\r\n",          // leading space
            "* OK IMAP4rev1 ready\r\n", // another protocol's greeting
            "+OK POP3 ready\r\n"})
        void lineThatIsNotAReplyShouldBeRefused(String line) {
            receive(line);

            assertThatThrownBy(reader::next)
                .isInstanceOf(SmtpReply.MalformedReplyException.class)
                .hasMessage("not an SMTP reply line: '" + SmtpReply.stripLineEnd(line) + "'");
        }

        @Test
        void malformedLineInsideAMultiLineReplyShouldBeRefused() throws Exception {
            receive("250-first\r\n");
            assertThat(reader.next()).isNull();

            receive("garbage\r\n250 last\r\n");

            assertThatThrownBy(reader::next).isInstanceOf(SmtpReply.MalformedReplyException.class);
        }

        @Test
        void longMalformedLineShouldBeQuotedShortened() {
            String line = "x".repeat(MAX_LINE - 2);
            receive(line + "\r\n");

            assertThatThrownBy(reader::next)
                .isInstanceOf(SmtpReply.MalformedReplyException.class)
                .hasMessage("not an SMTP reply line: '" + line + "'");

            SmtpReply.MalformedReplyException longOne = new SmtpReply.MalformedReplyException("y".repeat(200));
            assertThat(longOne).hasMessage("not an SMTP reply line: '" + "y".repeat(80) + "...'");
            assertThat(new SmtpReply.MalformedReplyException("y".repeat(80)))
                .hasMessage("not an SMTP reply line: '" + "y".repeat(80) + "'");
        }
    }

    @Nested
    class Values {
        @ParameterizedTest
        @CsvSource({"199,false", "200,true", "250,true", "299,true", "300,false", "354,false", "421,false", "554,false"})
        void onlyTwoHundredsShouldBePositive(int code, boolean positive) {
            SmtpReply reply = new SmtpReply(ImmutableList.of(code + " text"));

            assertThat(reply.code()).isEqualTo(code);
            assertThat(reply.isPositive()).isEqualTo(positive);
        }

        @Test
        void toStringShouldJoinTheLines() {
            SmtpReply reply = new SmtpReply(ImmutableList.of("250-a", "250 b"));

            assertThat(reply).hasToString("250-a | 250 b");
        }
    }

    @Nested
    class StripLineEnd {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "'250 Ok\r\n'|'250 Ok'",
            "'250 Ok\n'|'250 Ok'",
            "'250 Ok\r'|'250 Ok'",
            "'250 Ok\r\r\n'|'250 Ok'",
            "'250 Ok\n\r'|'250 Ok'",
            "'250 Ok'|'250 Ok'",
            "'\r\n'|''",
            "''|''",
            "'250 a\rb\r\n'|'250 a\rb'",
            "'250 a\nb\n'|'250 a\nb'",
            "'250 Ok \r\n'|'250 Ok '"})
        void onlyTrailingCrAndLfShouldGo(String text, String stripped) {
            assertThat(SmtpReply.stripLineEnd(text)).isEqualTo(stripped);
        }
    }
}
