package org.jamesproxy.pop3;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.pop3.Pop3Decision.Answer;
import org.jamesproxy.pop3.Pop3Decision.Completion;
import org.jamesproxy.pop3.Pop3Decision.Forward;
import org.jamesproxy.relay.InputBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

/** Answer framing per command, with the session and the retrieval replaced by recorders. */
class Pop3AnswerReaderTest {
    private static final Pop3Capabilities.ClientLeg PLAIN_LEG = new Pop3Capabilities.ClientLeg(false, true, false);

    private final InputBuffer upstreamIn = new InputBuffer(UnpooledByteBufAllocator.DEFAULT, 100);
    private final Sink client = new Sink();
    private final Messages messages = new Messages();
    private final Pop3AnswerReader reader = new Pop3AnswerReader(upstreamIn, messages, client, () -> PLAIN_LEG, 40);

    /** The session's side: what reached the client, and what the session learnt. */
    private final class Sink implements Pop3AnswerSink {
        final StringBuilder written = new StringBuilder();
        final List<Boolean> answers = new ArrayList<>();
        int challenges;

        @Override
        public void writeLine(String line) {
            written.append(line).append("\r\n");
        }

        @Override
        public void write(ByteBuf bytes) {
            written.append(bytes.toString(ISO_8859_1));
            bytes.release();
        }

        @Override
        public void challenged() {
            challenges++;
        }

        @Override
        public void answered(boolean ok) {
            answers.add(ok);
            // As the session does: the next answer starts with a status line.
            reader.reset();
        }

        @Override
        public void resume() {
        }

        @Override
        public void closeWithFarewell(String reason) {
        }
    }

    /** A retrieval that intercepts when told to, and records what it was given. */
    private static final class Messages implements Pop3AnswerReader.MessageBody {
        boolean intercepts;
        String statusLine;
        int topLines;
        final List<String> lines = new ArrayList<>();

        @Override
        public boolean intercepts() {
            return intercepts;
        }

        @Override
        public void start(String statusLine, int topLines, boolean wholeForTop) {
            this.statusLine = statusLine;
            this.topLines = topLines;
        }

        @Override
        public boolean onLine(ByteBuf line) {
            lines.add(line.toString(ISO_8859_1));
            line.release();
            return false;
        }
    }

    @AfterEach
    void tearDown() {
        upstreamIn.release();
    }

    /** Feeds the upstream's bytes and steps the reader as the session's loop does, until it needs more. */
    private void receive(String bytes, Forward command) throws Exception {
        upstreamIn.add(Unpooled.copiedBuffer(bytes, ISO_8859_1));
        while (reader.step(command)) {
            if (!client.answers.isEmpty()) {
                return;
            }
        }
    }

    @Test
    void aSingleLineAnswerShouldBeRelayedAndCompleteTheCommand() throws Exception {
        receive("+OK 2 320\r\n", Forward.of(Answer.SINGLE_LINE));

        assertThat(client.written).hasToString("+OK 2 320\r\n");
        assertThat(client.answers).containsExactly(true);
    }

    @Test
    void anErrorShouldEndAMultiLineCommandAtItsStatusLine() throws Exception {
        receive("-ERR no such message\r\n", Forward.of(Answer.MESSAGE));

        assertThat(client.written).hasToString("-ERR no such message\r\n");
        assertThat(client.answers).containsExactly(false);
    }

    @Test
    void aSaslChallengeShouldBeRelayedWithoutCompletingTheCommand() throws Exception {
        Forward auth = Forward.of(Answer.SASL, Completion.LOGIN);

        receive("+ \r\n", auth);
        assertThat(client.challenges).isEqualTo(1);
        assertThat(client.answers).isEmpty();

        receive("+OK logged in\r\n", auth);
        assertThat(client.written).hasToString("+ \r\n+OK logged in\r\n");
        assertThat(client.answers).containsExactly(true);
    }

    @Test
    void aPlusLineShouldNotBeAChallengeForAnythingButAuth() throws Exception {
        receive("+ \r\n", Forward.of(Answer.SINGLE_LINE));

        assertThat(client.challenges).isZero();
        assertThat(client.answers).containsExactly(false);
    }

    @Test
    void capaShouldBeRewrittenForTheClientLeg() throws Exception {
        receive("+OK\r\nTOP\r\nUSER\r\nSTLS\r\nX-SECRET\r\n.\r\n", Forward.of(Answer.CAPA));

        assertThat(client.written).hasToString("+OK Capability list follows\r\nTOP\r\nSTLS\r\nPIPELINING\r\n.\r\n");
        assertThat(client.answers).containsExactly(true);
    }

    @Test
    void aCapaAnswerBeyondTheListingBoundShouldEndTheSession() {
        assertThatThrownBy(() -> receive("+OK\r\n" + "X-LONG-CAPABILITY-LINE\r\n".repeat(2) + ".\r\n",
            Forward.of(Answer.CAPA)))
            .isInstanceOf(Pop3AnswerReader.UnrelayableAnswerException.class);
    }

    @Test
    void aListingShouldStreamAcrossReadsAndTheNextAnswerStartAtItsStatusLine() throws Exception {
        Forward list = Forward.of(Answer.LISTING);

        receive("+OK\r\n1 10\r\n.", list);
        assertThat(client.answers).isEmpty();
        receive("\r\n", list);
        assertThat(client.written).hasToString("+OK\r\n1 10\r\n.\r\n");
        assertThat(client.answers).containsExactly(true);

        receive("+OK\r\n", Forward.of(Answer.SINGLE_LINE));
        assertThat(client.answers).containsExactly(true, true);
    }

    @Test
    void aListingBeyondItsBoundShouldEndTheSession() {
        assertThatThrownBy(() -> receive("+OK\r\n" + "1 1234567890\r\n".repeat(4), Forward.of(Answer.LISTING)))
            .isInstanceOf(Pop3AnswerReader.UnrelayableAnswerException.class)
            .hasMessage("listing larger than 40 bytes");
    }

    @Test
    void aLineLongerThanTheBoundShouldEndTheSession() {
        assertThatThrownBy(() -> receive("+OK " + "x".repeat(200), Forward.of(Answer.SINGLE_LINE)))
            .isInstanceOf(Pop3AnswerReader.UnrelayableAnswerException.class)
            .satisfies(e -> assertThat(((Pop3AnswerReader.UnrelayableAnswerException) e).farewell())
                .isEqualTo("[SYS/TEMP] The mail server sent a line the proxy cannot relay"));
    }

    @Test
    void aMessageShouldStreamWhenThePolicyDoesNotIntercept() throws Exception {
        receive("+OK 20 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n", Forward.of(Answer.MESSAGE));

        assertThat(client.written).hasToString("+OK 20 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n");
        assertThat(client.answers).containsExactly(true);
    }

    @Test
    void anInterceptedMessageShouldGoLineByLineToTheRetrievalWithItsStatusLine() throws Exception {
        messages.intercepts = true;

        receive("+OK 20 octets \r\nSubject: x\r\n\r\n.\r\n", new Forward(Answer.MESSAGE, 3, Completion.NONE));

        assertThat(client.written).isEmpty();
        assertThat(messages.statusLine).isEqualTo("+OK 20 octets");
        assertThat(messages.topLines).isEqualTo(3);
        assertThat(messages.lines).containsExactly("Subject: x\r\n", "\r\n", ".\r\n");
    }
}
