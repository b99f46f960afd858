package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamesproxy.relay.SessionLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** The client's command bytes on their way upstream: literals both kinds, the literal limit, dropped commands. */
class CommandFramingTest {
    private final ImapFrameReader reader = new ImapFrameReader(ByteBufAllocator.DEFAULT, 1000);
    private final CommandsInFlight inFlight = new CommandsInFlight();
    private final StringBuilder upstream = new StringBuilder();
    private final List<String> replies = new ArrayList<>();
    private final List<String> farewells = new ArrayList<>();
    private final CommandFraming framing = new CommandFraming(reader, inFlight, 100,
        new SessionLog(LoggerFactory.getLogger(CommandFramingTest.class), "IMAP-PROXY", "test", "127.0.0.1", "s", Optional::empty),
        new CommandFraming.Legs() {
            @Override
            public void toUpstream(ByteBuf bytes) {
                upstream.append(bytes.toString(ISO_8859_1));
                bytes.release();
            }

            @Override
            public void reply(String line) {
                replies.add(line);
            }

            @Override
            public void closeWithFarewell(String reason) {
                farewells.add(reason);
            }
        });

    @AfterEach
    void tearDown() {
        reader.release();
    }

    private void receive(String text) {
        reader.add(Unpooled.copiedBuffer(text, ISO_8859_1));
    }

    /** What the session does for a new command line: put it in flight and forward its first segment. */
    private CommandFraming.Outcome command(String line) throws Exception {
        receive(line);
        ImapFrame frame = reader.next();
        ImapCommand command = ImapCommand.parse(frame.content().toString(ISO_8859_1));
        inFlight.add(command);
        return framing.forward(frame);
    }

    /** Hands the buffered frames to the framing while it takes them, as the session's loop does. */
    private List<String> rest() throws Exception {
        List<String> notTaken = new ArrayList<>();
        ImapFrame frame;
        while (!framing.awaitingContinuation() && (frame = reader.next()) != null) {
            if (!framing.continueCommand(frame)) {
                notTaken.add(frame.content().toString(ISO_8859_1));
                frame.content().release();
            }
        }
        return notTaken;
    }

    @Test
    void nonSynchronizingLiteralShouldStreamWithTheRestOfTheCommand() throws Exception {
        assertThat(command("a APPEND INBOX {11+}\r\n")).isEqualTo(CommandFraming.Outcome.FORWARDED);
        receive("b NOOP\r\nc\r\n\r\nd NOOP\r\n");

        assertThat(rest()).containsExactly("d NOOP\r\n");
        assertThat(upstream).hasToString("a APPEND INBOX {11+}\r\nb NOOP\r\nc\r\n\r\n");
        assertThat(framing.awaitingContinuation()).isFalse();
    }

    @Test
    void synchronizingLiteralShouldWaitForTheUpstreamsContinuation() throws Exception {
        command("a APPEND INBOX {5}\r\n");

        assertThat(framing.awaitingContinuation()).isTrue();
        assertThat(framing.continuationRequested()).isTrue();
        receive("b OK?\r\nc NOOP\r\n");

        assertThat(rest()).containsExactly("c NOOP\r\n");
        assertThat(upstream).hasToString("a APPEND INBOX {5}\r\nb OK?\r\n");
        assertThat(framing.continuationRequested()).isFalse();
    }

    @Test
    void commandEndedByTheUpstreamShouldNoLongerWaitForItsLiteral() throws Exception {
        command("a APPEND INBOX {5}\r\n");

        assertThat(framing.completed(ImapCommand.parse("a APPEND INBOX {5}"))).isFalse();
        assertThat(framing.completed(inFlight.complete("a"))).isTrue();
        receive("b NOOP\r\n");

        assertThat(framing.awaitingContinuation()).isFalse();
        assertThat(rest()).containsExactly("b NOOP\r\n");
    }

    @Test
    void oversizeSynchronizingLiteralShouldBeRefusedBeforeAnythingIsSent() throws Exception {
        assertThat(command("a APPEND INBOX {101}\r\n")).isEqualTo(CommandFraming.Outcome.REFUSED);
        receive("b NOOP\r\n");

        assertThat(replies).containsExactly("a NO [TOOBIG] Literal too large");
        assertThat(upstream).isEmpty();
        assertThat(rest()).containsExactly("b NOOP\r\n");
        assertThat(farewells).isEmpty();
    }

    @Test
    void oversizeLiteralTheClientSendsAnywayShouldCloseTheConnection() throws Exception {
        assertThat(command("a APPEND INBOX {101+}\r\n")).isEqualTo(CommandFraming.Outcome.CLOSING);

        assertThat(farewells).containsExactly("[TOOBIG] Literal too large");
        assertThat(upstream).isEmpty();
    }

    @Test
    void oversizeLiteralInALaterSegmentShouldCloseTheConnection() throws Exception {
        command("a APPEND INBOX {2+}\r\n");
        receive("ok {101}\r\n");

        assertThat(rest()).isEmpty();
        assertThat(farewells).containsExactly("[TOOBIG] Literal too large");
        assertThat(upstream).hasToString("a APPEND INBOX {2+}\r\nok");
    }

    @Test
    void droppedCommandShouldTakeItsNonSynchronizingLiteralsAlong() throws Exception {
        receive("a COMPRESS {3+}\r\nxyz {3+}\r\nabc\r\nb NOOP\r\n");
        framing.discard(reader.next());

        assertThat(rest()).containsExactly("b NOOP\r\n");
        assertThat(upstream).isEmpty();
    }

    @Test
    void droppedCommandWithASynchronizingLiteralShouldLeaveTheNextLineACommand() throws Exception {
        // The client waits for a "+" that never comes: what it sends next is a new command.
        receive("a COMPRESS {4}\r\nb NOOP\r\n");
        framing.discard(reader.next());

        assertThat(rest()).containsExactly("b NOOP\r\n");
    }
}
