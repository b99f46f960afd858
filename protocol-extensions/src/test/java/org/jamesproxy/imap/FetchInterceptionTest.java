package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.config.InspectionSettings.Oversize;
import org.jamesproxy.config.InspectionSettings.PartialFetch;
import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.OnError;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.relay.InspectionRunner;
import org.jamesproxy.relay.Interception;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.MessageInterception.SizeDecision;
import org.jamesproxy.relay.RelayMetrics;
import org.jamesproxy.relay.SessionLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/** What the client sees of FETCH literals: the decision per data item and size, and the verdict as a literal. */
class FetchInterceptionTest {
    private static final String MESSAGE = "Subject: hello\r\nFrom: a@example.com\r\n\r\nthe body\r\n";

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final RecordingMetricFactory metricFactory = new RecordingMetricFactory();
    private final AtomicReference<MessageInspector> inspector = new AtomicReference<>(MessageInspector.PASS_THROUGH);
    private final StringBuilder client = new StringBuilder();
    private final List<String> farewells = new ArrayList<>();
    private int upstreamResumed;

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private FetchInterception fetch(Optional<String> proxyAction, Oversize oversize, PartialFetch partialFetch) {
        InspectionSettings settings = new InspectionSettings(proxyAction, 1000, oversize, partialFetch, OnError.DENY);
        Interception policy = new Interception(Protocol.IMAP, "test", settings,
            new InspectionRunner((context, message) -> inspector.get().inspect(context, message), Runnable::run),
            new RelayMetrics(metricFactory, ImapProtocol.METRICS), (address, reason) -> { });
        SessionLog log = new SessionLog(LoggerFactory.getLogger(FetchInterceptionTest.class), "IMAP-PROXY", "test",
            "127.0.0.1", "s", Optional::empty);
        return new FetchInterception(new MessageInterception(policy, channel, log, () -> true), new FetchInterception.Client() {
            @Override
            public void write(ByteBuf bytes) {
                client.append(bytes.toString(ISO_8859_1));
                bytes.release();
            }

            @Override
            public void closeWithFarewell(String reason) {
                farewells.add(reason);
            }

            @Override
            public void resumeUpstream() {
                upstreamResumed++;
            }
        });
    }

    private FetchInterception inspecting() {
        return fetch(Optional.of("action"), Oversize.REPLACE, PartialFetch.DENY);
    }

    /** Offers a segment and its literal as the response relay does; true when the interception held them. */
    private static boolean relay(FetchInterception fetch, String segment, String literal) {
        boolean held = fetch.holds(Unpooled.copiedBuffer(segment, ISO_8859_1), literal.length());
        if (held && !literal.isEmpty()) {
            int half = literal.length() / 2;
            assertThat(fetch.takes(ImapFrame.literalChunk(Unpooled.copiedBuffer(literal.substring(0, half), ISO_8859_1), false))).isTrue();
            assertThat(fetch.takes(ImapFrame.literalChunk(Unpooled.copiedBuffer(literal.substring(half), ISO_8859_1), true))).isTrue();
        }
        return held;
    }

    @Test
    void wholeMessagesAndHeadersShouldFollowTheSizeDecision() {
        for (FetchItem item : List.of(FetchItem.FULL_MESSAGE, FetchItem.HEADER)) {
            assertThat(FetchInterception.handling(item, SizeDecision.INSPECT, true)).isEqualTo(FetchInterception.Handling.INSPECT);
            assertThat(FetchInterception.handling(item, SizeDecision.REPLACE_WITH_NOTICE, false))
                .isEqualTo(FetchInterception.Handling.REPLACE_WITH_NOTICE);
            assertThat(FetchInterception.handling(item, SizeDecision.PASS_UNINSPECTED, true))
                .isEqualTo(FetchInterception.Handling.PASS_UNINSPECTED);
        }
    }

    @Test
    void partialItemsShouldStreamUnlessThePolicyRefusesThem() {
        assertThat(FetchInterception.handling(FetchItem.PARTIAL, SizeDecision.INSPECT, false)).isEqualTo(FetchInterception.Handling.STREAM);
        assertThat(FetchInterception.handling(FetchItem.PARTIAL, SizeDecision.INSPECT, true))
            .isEqualTo(FetchInterception.Handling.REPLACE_WITH_NIL);
        assertThat(FetchInterception.handling(FetchItem.OTHER, SizeDecision.INSPECT, true)).isEqualTo(FetchInterception.Handling.STREAM);
    }

    @Test
    void inspectedMessageShouldBeSentAsALiteralOfTheVerdictsLength() {
        inspector.set((context, message) -> InspectionResult.modified("new!".getBytes(ISO_8859_1)));
        FetchInterception fetch = inspecting();

        assertThat(relay(fetch, "* 1 FETCH (UID 7 BODY[] {" + MESSAGE.length() + "}\r\n", MESSAGE)).isTrue();
        assertThat(fetch.isCollecting()).isFalse();
        channel.runPendingTasks();

        assertThat(client).hasToString("* 1 FETCH (UID 7 BODY[] {4}\r\nnew!");
        assertThat(upstreamResumed).isEqualTo(1);
    }

    @Test
    void headerFetchShouldGetTheHeaderSectionOfTheModifiedMessage() {
        inspector.set((context, message) -> InspectionResult.modified(("X-Added: 1\r\n" + new String(message, ISO_8859_1)
            + "extra body\r\n").getBytes(ISO_8859_1)));
        FetchInterception fetch = inspecting();
        String header = "Subject: hello\r\n\r\n";

        relay(fetch, "* 1 FETCH (BODY[HEADER] {" + header.length() + "}\r\n", header);
        channel.runPendingTasks();

        assertThat(client).hasToString("* 1 FETCH (BODY[HEADER] {30}\r\nX-Added: 1\r\nSubject: hello\r\n\r\n");
    }

    @Test
    void messageShouldBeCollectedUntilItsLastChunk() {
        FetchInterception fetch = inspecting();

        assertThat(fetch.holds(Unpooled.copiedBuffer("* 1 FETCH (BODY[] {6}\r\n", ISO_8859_1), 6)).isTrue();
        fetch.takes(ImapFrame.literalChunk(Unpooled.copiedBuffer("abc", ISO_8859_1), false));

        assertThat(fetch.isCollecting()).isTrue();
        assertThat(client).isEmpty();
        fetch.release();
    }

    @Test
    void refusedPartialFetchShouldBecomeNilInsideTheResponseLine() {
        FetchInterception fetch = inspecting();

        assertThat(relay(fetch, "* 1 FETCH (BODY[1] {3}\r\n", "abc")).isTrue();

        assertThat(client).hasToString("* 1 FETCH (BODY[1] NIL");
        assertThat(fetch.takes(ImapFrame.literalChunk(Unpooled.copiedBuffer("x", ISO_8859_1), true))).isFalse();
    }

    @Test
    void oversizeMessageShouldBeReplacedByTheDenyNotice() {
        FetchInterception fetch = inspecting();
        String large = MESSAGE + "x".repeat(2000);

        relay(fetch, "* 1 FETCH (RFC822 {" + large.length() + "}\r\n", large);

        assertThat(client.toString()).startsWith("* 1 FETCH (RFC822 {").contains(DenyNotice.DENIED_HEADER).doesNotContain("xxxx");
        // Rendered within the loop reading the response: nothing to resume.
        assertThat(upstreamResumed).isZero();
        assertThat(metricFactory.countFor("imapproxy-fetch-denied")).isEqualTo(1);
    }

    @Test
    void oversizeMessageShouldStreamWhenThePolicySaysPass() {
        FetchInterception fetch = fetch(Optional.of("action"), Oversize.PASS, PartialFetch.PASS);
        ByteBuf segment = Unpooled.copiedBuffer("* 1 FETCH (BODY[] {2000}\r\n", ISO_8859_1);

        assertThat(fetch.holds(segment, 2000)).isFalse();
        segment.release();

        assertThat(metricFactory.countFor("imapproxy-fetch-not-inspected")).isEqualTo(1);
    }

    @Test
    void literalsShouldStreamWithoutAProxyActionOrForOtherItems() {
        FetchInterception uninspected = fetch(Optional.empty(), Oversize.REPLACE, PartialFetch.DENY);
        ByteBuf body = Unpooled.copiedBuffer("* 1 FETCH (BODY[] {5}\r\n", ISO_8859_1);
        ByteBuf envelope = Unpooled.copiedBuffer("* 1 FETCH (ENVELOPE (\"date\" {5}\r\n", ISO_8859_1);

        assertThat(uninspected.holds(body, 5)).isFalse();
        assertThat(inspecting().holds(envelope, 5)).isFalse();
        body.release();
        envelope.release();
    }

    @Test
    void dropVerdictShouldCloseTheConnection() {
        inspector.set((context, message) -> InspectionResult.dropped("bad"));
        FetchInterception fetch = inspecting();

        assertThat(relay(fetch, "* 1 FETCH (FLAGS () BODY[] {" + MESSAGE.length() + "}\r\n", MESSAGE)).isTrue();
        channel.runPendingTasks();

        assertThat(farewells).containsExactly("Connection closed by policy");
        assertThat(client).isEmpty();
    }

    @Test
    void emptyLiteralShouldBeInspectedAtOnce() {
        FetchInterception fetch = inspecting();

        assertThat(relay(fetch, "* 1 FETCH (BODY[] {0}\r\n", "")).isTrue();
        channel.runPendingTasks();

        assertThat(client).hasToString("* 1 FETCH (BODY[] {0}\r\n");
    }
}
