package org.jamesproxy.smtpserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.junit.jupiter.api.Test;

/**
 * The guard's decisions on a session in each state, including the one the end-to-end test cannot force (a command
 * that reaches the dispatcher between the STARTTLS go-ahead and the end of the handshake: the framer's race).
 * "Handshake not done" is a real JDK SSLEngine's session before its handshake, not a made-up value.
 */
class StartTlsInjectionGuardDecisionsTest {
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final StartTlsInjectionGuard guard = new StartTlsInjectionGuard(metrics);
    private final AtomicBoolean detecting = new AtomicBoolean(false);

    private SMTPSession session(boolean tlsStarted, Optional<SSLSession> tls) {
        return (SMTPSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{SMTPSession.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "isTLSStarted" -> tlsStarted;
                case "getSSLSession" -> tls;
                case "getRemoteAddress" -> new InetSocketAddress("127.0.0.1", 4242);
                case "startDetectingCommandInjection" -> {
                    detecting.set(true);
                    yield null;
                }
                default -> throw new UnsupportedOperationException(method.getName());
            });
    }

    private static SSLSession beforeTheHandshake() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        return context.createSSLEngine().getSession();
    }

    private static SSLSession handshakeDone() {
        return (SSLSession) Proxy.newProxyInstance(StartTlsInjectionGuardDecisionsTest.class.getClassLoader(),
            new Class<?>[]{SSLSession.class}, (proxy, method, args) -> {
                if (method.getName().equals("getCipherSuite")) {
                    return "TLS_AES_128_GCM_SHA256";
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    @Test
    void aCommandBetweenTheGoAheadAndTheEndOfTheHandshakeShouldGet421AndClose() throws Exception {
        SMTPSession session = session(true, Optional.of(beforeTheHandshake()));

        Response response = guard.onCommand(session, new BaseRequest("RSET", null));

        assertThat(response.getRetCode()).isEqualTo("421");
        assertThat(response.isEndSession()).isTrue();
        assertThat(metrics.countFor("SMTP-STARTTLS-injection-refused")).isEqualTo(1);
    }

    @Test
    void anUnknownCommandThereShouldBeRefusedAndDisconnectToo() throws Exception {
        HookResult result = guard.doUnknown(session(true, Optional.of(beforeTheHandshake())), "XYZZY");

        assertThat(result.getSmtpRetCode()).isEqualTo("421");
        assertThat(result.getResult().isDisconnected()).isTrue();
    }

    @Test
    void commandsInClearBeforeStartTlsAndOverACompletedHandshakeShouldBeLeftToTheirHandlers() {
        assertThat(guard.onCommand(session(false, Optional.empty()), new BaseRequest("RSET", null))).isNull();
        assertThat(guard.onCommand(session(true, Optional.of(handshakeDone())), new BaseRequest("RSET", null))).isNull();
        assertThat(guard.doUnknown(session(true, Optional.of(handshakeDone())), "XYZZY")).isEqualTo(HookResult.DECLINED);
        assertThat(metrics.countFor("SMTP-STARTTLS-injection-refused")).isZero();
    }

    @Test
    void theFinalDotInClearShouldSwitchDetectionBackOnAndOtherLinesShouldNot() {
        SMTPSession session = session(false, Optional.empty());

        guard.onLine(session, "STARTTLS\r\n".getBytes(), (s, line) -> null);
        assertThat(detecting).isFalse();
        guard.onLine(session, ".\r\n".getBytes(), (s, line) -> null);
        assertThat(detecting).isTrue();
    }

    @Test
    void theFinalDotOverTlsShouldLeaveDetectionOff() {
        guard.onLine(session(true, Optional.of(handshakeDone())), ".\r\n".getBytes(), (s, line) -> null);

        assertThat(detecting).isFalse();
    }

    @Test
    void onceWiredTheGuardShouldClaimOnlyTheVerbsAnotherHandlerAnswers() {
        CommandHandler<SMTPSession> rsetAndNoop = new CommandHandler<>() {
            @Override
            public Response onCommand(SMTPSession session, Request request) {
                return null;
            }

            @Override
            public Collection<String> getImplCommands() {
                return List.of("RSET", "noop", "XFOO");
            }
        };
        assertThat(guard.getImplCommands()).contains("EHLO", "MAIL", "RSET", "STARTTLS");

        guard.wireExtensions(CommandHandler.class, List.of(guard, rsetAndNoop));

        assertThat(guard.getImplCommands()).containsExactlyInAnyOrder("RSET", "NOOP");
    }
}
