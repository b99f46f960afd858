package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.OnError;
import org.jamesproxy.inspection.Protocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.netty.channel.embedded.EmbeddedChannel;

class MessageInterceptionTest {
    private static final byte[] MESSAGE = "Subject: hello\r\n\r\nbody\r\n".getBytes(US_ASCII);
    private static final byte[] NOTICE = "Subject: [Denied] hello\r\n\r\ndenied\r\n".getBytes(US_ASCII);
    private static final RelayMetrics.Names NAMES = new RelayMetrics.Names("testproxy", "starttls", "logins", "fetch");

    /** An embedded channel whose client has an IP address, as a real accepted socket does. */
    private static final class ClientChannel extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
        }
    }

    /** Records which renderer method ran with what. */
    private static final class Recorder implements VerdictRenderer {
        final List<String> calls = new ArrayList<>();

        @Override
        public void allowed(byte[] content, boolean modified) {
            calls.add("allowed " + new String(content, US_ASCII).split("\r\n")[0] + " modified=" + modified);
        }

        @Override
        public void denied(byte[] notice, String reason) {
            calls.add("denied " + new String(notice, US_ASCII).split("\r\n")[0] + " / " + reason);
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            calls.add("tempfailed " + reason);
        }

        @Override
        public void closing() {
            calls.add("closing");
        }
    }

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final List<String> blocked = new ArrayList<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final Recorder renderer = new Recorder();
    private ClientChannel channel;

    @BeforeEach
    void setUp() {
        channel = new ClientChannel();
    }

    private MessageInterception interception(MessageInspector inspector, InspectionSettings.Oversize oversize) {
        InspectionSettings settings = new InspectionSettings(Optional.of("action"), 100, oversize,
            InspectionSettings.PartialFetch.DENY, OnError.DENY);
        Interception policy = new Interception(Protocol.IMAP, "policy", settings, new InspectionRunner(inspector, Runnable::run),
            new RelayMetrics(metrics, NAMES), (client, reason) -> blocked.add(client.getHostAddress() + " " + reason));
        SessionLog log = new SessionLog(LoggerFactory.getLogger(MessageInterceptionTest.class), "TEST", "policy", "127.0.0.1",
            "s1", () -> Optional.of("alice"));
        return new MessageInterception(policy, channel, log, open::get);
    }

    private List<String> inspect(InspectionResult result) {
        MessageInterception interception = interception((context, message) -> result, InspectionSettings.Oversize.PASS);
        interception.inspect(MESSAGE, renderer);
        assertThat(interception.isInspecting()).isTrue();
        channel.runPendingTasks();
        assertThat(interception.isInspecting()).isFalse();
        return renderer.calls;
    }

    @Test
    void anUnchangedMessageShouldBeAllowedAsItCame() {
        assertThat(inspect(InspectionResult.unchanged())).containsExactly("allowed Subject: hello modified=false");
        assertThat(metrics.countFor("testproxy-fetch-inspected")).isEqualTo(1);
        assertThat(metrics.countFor("testproxy-fetch-modified")).isZero();
    }

    @Test
    void aModifiedMessageShouldBeAllowedAsTheActionChangedItAndCounted() {
        assertThat(inspect(InspectionResult.modified("Subject: changed\r\n\r\n".getBytes(US_ASCII))))
            .containsExactly("allowed Subject: changed modified=true");
        assertThat(metrics.countFor("testproxy-fetch-modified")).isEqualTo(1);
    }

    @Test
    void denyShouldRenderTheNoticeWithTheReason() {
        assertThat(inspect(InspectionResult.denied("virus found", NOTICE)))
            .containsExactly("denied Subject: [Denied] hello / virus found");
        assertThat(metrics.countFor("testproxy-fetch-denied")).isEqualTo(1);
    }

    @Test
    void tempfailShouldRenderAsTempfail() {
        assertThat(inspect(InspectionResult.tempfailed("engine down", NOTICE))).containsExactly("tempfailed engine down");
        assertThat(metrics.countFor("testproxy-fetch-denied")).isEqualTo(1);
    }

    @Test
    void dropShouldCloseWithoutReportingTheClient() {
        assertThat(inspect(InspectionResult.dropped("spam run"))).containsExactly("closing");
        assertThat(blocked).isEmpty();
    }

    @Test
    void blockShouldReportTheClientBeforeClosing() {
        assertThat(inspect(InspectionResult.blocked("worm"))).containsExactly("closing");
        assertThat(blocked).containsExactly("127.0.0.1 worm");
    }

    @Test
    void aVerdictForAClosedSessionShouldNotBeRendered() {
        MessageInterception interception = interception((context, message) -> InspectionResult.unchanged(),
            InspectionSettings.Oversize.PASS);
        interception.inspect(MESSAGE, renderer);
        open.set(false);

        channel.runPendingTasks();

        assertThat(renderer.calls).isEmpty();
    }

    @Test
    void theContextShouldNameTheClientAndTheProtocol() {
        List<String> seen = new ArrayList<>();
        MessageInterception interception = interception((context, message) -> {
            seen.add(context.getProtocol() + " " + context.getUser().orElse("-") + " " + context.getRemoteAddress());
            return InspectionResult.unchanged();
        }, InspectionSettings.Oversize.PASS);

        interception.inspect(MESSAGE, renderer);
        channel.runPendingTasks();

        assertThat(seen).containsExactly("IMAP alice 127.0.0.1");
    }

    @Test
    void decideShouldFollowTheLimitAndTheOversizeSetting() {
        MessageInterception passing = interception(MessageInspector.PASS_THROUGH, InspectionSettings.Oversize.PASS);
        MessageInterception replacing = interception(MessageInspector.PASS_THROUGH, InspectionSettings.Oversize.REPLACE);

        assertThat(passing.decide(100)).isEqualTo(MessageInterception.SizeDecision.INSPECT);
        assertThat(passing.decide(101)).isEqualTo(MessageInterception.SizeDecision.PASS_UNINSPECTED);
        assertThat(replacing.decide(101)).isEqualTo(MessageInterception.SizeDecision.REPLACE_WITH_NOTICE);
        assertThat(passing.refusesPartialRetrieval()).isTrue();
    }

    @Test
    void anOversizeMessageReplacedShouldGetADenyNoticeQuotingItsStart() {
        MessageInterception interception = interception(MessageInspector.PASS_THROUGH, InspectionSettings.Oversize.REPLACE);

        interception.replaceOversize(MESSAGE, renderer);

        assertThat(renderer.calls).singleElement().asString()
            .startsWith("denied ").endsWith("/ " + MessageInterception.OVERSIZE_REASON);
        assertThat(interception.summary()).isEqualTo("0 message(s) inspected, 0 modified, 1 denied");
    }

    @Test
    void aMessagePassedUninspectedShouldBeCounted() {
        interception(MessageInspector.PASS_THROUGH, InspectionSettings.Oversize.PASS).passedUninspected(500);

        assertThat(metrics.countFor("testproxy-fetch-not-inspected")).isEqualTo(1);
    }
}
