package org.jamesproxy.smtp;

import java.util.List;
import java.util.Optional;

import org.jamesproxy.config.IdentityCommand;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.haproxy.ClientAddress;
import org.jamesproxy.relay.InputBuffer;
import org.jamesproxy.relay.UpstreamPrelude;
import org.jamesproxy.upstream.UpstreamConnector;

import com.google.common.collect.ImmutableList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * Brings the upstream leg to the point where the client's commands can follow: 220 greeting read, EHLO sent, TLS
 * in place and verified (implicit, or STARTTLS with the injection check) and the extensions learnt again over TLS.
 * Any deviation aborts, except that with {@code opportunisticStartTls} a server that does not offer or refuses
 * STARTTLS is used in clear (the caller logs it). Extra bytes after the upstream's 220 to STARTTLS always abort.
 */
final class SmtpUpstreamPrelude extends UpstreamPrelude {
    interface Outcome {
        /**
         * @param keywords the upstream's EHLO keywords on the leg as it now is
         * @param plaintextFallback true when opportunistic STARTTLS had to continue in clear
         * @param leftover bytes read after the last prelude reply
         */
        void ready(Channel upstream, List<String> keywords, boolean plaintextFallback, String fallbackReason, ByteBuf leftover);

        void failed(String reason);
    }

    private enum State {
        GREETING, EHLO, STARTTLS_SENT, EHLO_TLS, XCLIENT_SENT, EHLO_AFTER_XCLIENT
    }

    private final boolean opportunistic;
    private final String helloName;
    private final Outcome outcome;
    private final SmtpReply.Reader reader;
    private State state = State.GREETING;
    private List<String> keywords = ImmutableList.of();
    private boolean plaintextFallback;
    private String fallbackReason = "";

    SmtpUpstreamPrelude(UpstreamConnector connector, boolean opportunistic, String helloName, Outcome outcome, InputBuffer buffer) {
        super(connector);
        this.opportunistic = opportunistic;
        this.helloName = helloName;
        this.outcome = outcome;
        this.reader = new SmtpReply.Reader(buffer);
    }

    @Override
    protected void onBytes(ChannelHandlerContext ctx, ByteBuf bytes) {
        reader.buffer().add(bytes);
        try {
            SmtpReply reply;
            while (isActive() && (reply = reader.next()) != null) {
                onReply(ctx, reply);
            }
        } catch (InputBuffer.LineTooLongException | SmtpReply.MalformedReplyException e) {
            fail(ctx, "the mail server sent something else than an SMTP reply: " + e.getMessage());
        }
    }

    private void onReply(ChannelHandlerContext ctx, SmtpReply reply) {
        switch (state) {
            case GREETING:
                if (reply.code() != 220) {
                    fail(ctx, "the mail server is not available: " + reply);
                    return;
                }
                state = State.EHLO;
                send(ctx, "EHLO " + helloName);
                break;
            case EHLO:
                if (reply.code() != 250) {
                    fail(ctx, "the mail server refused EHLO: " + reply);
                    return;
                }
                keywords = SmtpExtensions.keywords(reply);
                if (connector().getConfig().getTls() != UpstreamTls.STARTTLS) {
                    identifyOrReady(ctx, false, "");
                } else if (!SmtpExtensions.has(keywords, "STARTTLS")) {
                    fallbackOrFail(ctx, "the mail server does not offer STARTTLS");
                } else {
                    state = State.STARTTLS_SENT;
                    send(ctx, "STARTTLS");
                }
                break;
            case STARTTLS_SENT:
                if (reply.code() != 220) {
                    fallbackOrFail(ctx, "the mail server refused STARTTLS: " + reply);
                    return;
                }
                // Extra bytes behind the 220 abort even in opportunistic mode: that is an attack, not a missing feature.
                startTls(ctx, "STARTTLS", reader.buffer().unconsumed(), () -> {
                    // RFC 3207: everything learnt in clear is discarded; EHLO again, over TLS.
                    keywords = ImmutableList.of();
                    state = State.EHLO_TLS;
                    send(ctx, "EHLO " + helloName);
                });
                break;
            case EHLO_TLS:
                if (reply.code() != 250) {
                    fail(ctx, "the mail server refused EHLO over TLS: " + reply);
                    return;
                }
                keywords = SmtpExtensions.keywords(reply);
                identifyOrReady(ctx, false, "");
                break;
            case XCLIENT_SENT:
                if (reply.code() != 220) {
                    fail(ctx, "the mail server refused XCLIENT: " + reply);
                    return;
                }
                // XCLIENT restarts the session as if the client had connected: a new greeting, so EHLO again.
                keywords = ImmutableList.of();
                state = State.EHLO_AFTER_XCLIENT;
                send(ctx, "EHLO " + helloName);
                break;
            case EHLO_AFTER_XCLIENT:
                if (reply.code() != 250) {
                    fail(ctx, "the mail server refused EHLO after XCLIENT: " + reply);
                    return;
                }
                keywords = SmtpExtensions.keywords(reply);
                ready(ctx, plaintextFallback, fallbackReason);
                break;
            default:
                break;
        }
    }

    private void fallbackOrFail(ChannelHandlerContext ctx, String reason) {
        if (opportunistic) {
            identifyOrReady(ctx, true, reason);
        } else {
            fail(ctx, reason + ", and the policy requires TLS toward it");
        }
    }

    /**
     * With {@code <identityCommand>xclient</identityCommand>}, the upstream learns the client's address before the
     * leg is ready; an upstream that does not offer XCLIENT ADDR or refuses it fails the leg, as it would otherwise
     * take every client for the proxy.
     */
    private void identifyOrReady(ChannelHandlerContext ctx, boolean fallback, String reason) {
        if (connector().getConfig().getIdentityCommand() != IdentityCommand.XCLIENT) {
            ready(ctx, fallback, reason);
            return;
        }
        Optional<String> xclient = Xclient.command(keywords, ClientAddress.ofUpstream(ctx.channel()));
        if (xclient.isEmpty()) {
            fail(ctx, "the policy names the client with XCLIENT, but the mail server does not offer XCLIENT ADDR"
                + " (Postfix: smtpd_authorized_xclient_hosts)");
            return;
        }
        plaintextFallback = fallback;
        fallbackReason = reason;
        state = State.XCLIENT_SENT;
        send(ctx, xclient.get());
    }

    private void ready(ChannelHandlerContext ctx, boolean plaintextFallback, String fallbackReason) {
        ByteBuf leftover = reader.buffer().unconsumed().isReadable()
            ? reader.buffer().unconsumed().retainedSlice()
            : Unpooled.EMPTY_BUFFER;
        finish(ctx, () -> outcome.ready(ctx.channel(), keywords, plaintextFallback, fallbackReason, leftover));
    }

    @Override
    protected void releaseInput() {
        reader.buffer().release();
    }

    @Override
    protected void onFailed(String reason) {
        outcome.failed(reason);
    }
}
