package org.jamesproxy.smtpserver;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.net.ssl.SSLSession;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ExtensibleHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.UnknownHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * Closes James 3.8.1's own STARTTLS command-injection hole (CVE-2011-0411 class) in its SMTP server: an admin lists
 * it first in {@code smtpserver.xml}'s {@code <handlerchain>}:
 * <pre>{@code <handler class="org.jamesproxy.smtpserver.StartTlsInjectionGuard"/>}</pre>
 * James's framer refuses bytes pipelined after STARTTLS only while the session "needs command injection detection",
 * and its DATA handler switches that off for good: after one mail transaction, {@code STARTTLS\r\nRSET\r\n} in one
 * packet gets the go-ahead, and the RSET written in clear is executed and answered inside TLS. Two checks close it:
 * <ul>
 *     <li>as a {@link DataLineFilter}, once a message's final dot has been handled on a connection without TLS,
 *     detection is switched back on, so James's framer refuses (and disconnects) what follows a STARTTLS again;</li>
 *     <li>as a handler of every command (and an {@link UnknownHook} for the rest), a command that reaches the
 *     dispatcher after the STARTTLS go-ahead but before the TLS handshake completed can only have been sent in clear
 *     behind the STARTTLS (the framer had cut it before TLS was in place): it gets {@code 421} and the connection is
 *     closed instead of being executed. This covers the race where the framer, which runs ahead of the command
 *     handlers, cut the lines behind the final dot before detection was back on.</li>
 * </ul>
 * Otherwise it declines and the command's own handler answers as before.
 */
public class StartTlsInjectionGuard implements CommandHandler<SMTPSession>, UnknownHook, DataLineFilter, ExtensibleHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(StartTlsInjectionGuard.class);

    /**
     * The verbs of James's standard core handlers ({@code CoreCmdHandlerLoader}); any other verb reaches
     * {@link #doUnknown}. Only verbs another handler answers may be claimed: when every handler of a verb declines,
     * James's dispatcher answers nothing at all; so once wired (listed before the core handlers), the guard claims
     * only those of them another handler of the chain implements.
     */
    static final Collection<String> COMMANDS = ImmutableSet.of("HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP",
        "QUIT", "VRFY", "EXPN", "HELP", "AUTH", "STARTTLS");
    /** What a JDK SSLEngine's session says before its first handshake has completed. */
    private static final String NO_CIPHER_SUITE_YET = "SSL_NULL_WITH_NULL_NULL";
    private static final String REFUSAL_CODE = "421";
    private static final String REFUSAL_TEXT = "4.7.0 Commands sent in clear after STARTTLS are refused";

    private final Metric refused;
    private volatile Collection<String> commands = COMMANDS;

    @Inject
    public StartTlsInjectionGuard(MetricFactory metricFactory) {
        this.refused = metricFactory.generate("SMTP-STARTTLS-injection-refused");
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (!sentInClearAfterStartTls(session, request.getCommand())) {
            // Declined: the dispatcher asks the command's own handler.
            return null;
        }
        SMTPResponse response = new SMTPResponse(REFUSAL_CODE, REFUSAL_TEXT);
        response.setEndSession(true);
        return response;
    }

    @Override
    public Collection<String> getImplCommands() {
        return commands;
    }

    @Override
    public List<Class<?>> getMarkerInterfaces() {
        return List.of(CommandHandler.class);
    }

    @Override
    public void wireExtensions(Class<?> marker, List<?> handlers) {
        if (!CommandHandler.class.equals(marker)) {
            return;
        }
        Set<String> answered = handlers.stream()
            .filter(handler -> handler != this)
            .flatMap(handler -> ((CommandHandler<?>) handler).getImplCommands().stream())
            .map(verb -> verb.toUpperCase(Locale.US))
            .collect(Collectors.toSet());
        commands = COMMANDS.stream().filter(answered::contains).collect(ImmutableSet.toImmutableSet());
    }

    @Override
    public HookResult doUnknown(SMTPSession session, String command) {
        if (!sentInClearAfterStartTls(session, command)) {
            return HookResult.DECLINED;
        }
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.DENY))
            .smtpReturnCode(REFUSAL_CODE)
            .smtpDescription(REFUSAL_TEXT)
            .build();
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        Response response = next.onLine(session, line);
        // After TLS there is no STARTTLS left to smuggle into, and James's framer would take its own "STARTTLS in
        // flight" mark, never cleared, for an injection: detection stays off there.
        if (isFinalDot(line) && !session.isTLSStarted()) {
            session.startDetectingCommandInjection();
        }
        return response;
    }

    private boolean sentInClearAfterStartTls(SMTPSession session, String command) {
        if (!session.isTLSStarted() || handshakeCompleted(session.getSSLSession())) {
            return false;
        }
        refused.increment();
        LOGGER.warn("Refused {} from {}: received after the STARTTLS go-ahead, before the TLS handshake, so sent in"
            + " clear behind STARTTLS (command injection attempt?); closing the connection", command,
            session.getRemoteAddress());
        return true;
    }

    private static boolean handshakeCompleted(Optional<SSLSession> tls) {
        return tls.map(SSLSession::getCipherSuite)
            .filter(suite -> !suite.equals(NO_CIPHER_SUITE_YET))
            .isPresent();
    }

    private static boolean isFinalDot(byte[] line) {
        return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n';
    }
}
