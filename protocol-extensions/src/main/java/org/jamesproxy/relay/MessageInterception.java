package org.jamesproxy.relay;

import java.time.ZonedDateTime;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;

import io.netty.channel.Channel;

/**
 * One session's hand-off of messages to its policy's proxy action: the size decision, the bounded collection, the
 * run off the event loop, the counters and log lines, the {@code block} report, and the verdict handed to the
 * protocol's {@link VerdictRenderer}. What differs per protocol is only how a verdict looks on the wire.
 */
public final class MessageInterception {
    /** What a relay does with a message of a given size. */
    public enum SizeDecision {
        INSPECT,
        /** Over the inspection limit, {@code oversize pass}: relayed as it is (logged and counted). */
        PASS_UNINSPECTED,
        /** Over the inspection limit, {@code oversize replace}: the deny notice takes its place. */
        REPLACE_WITH_NOTICE
    }

    static final String OVERSIZE_REASON = "message larger than the inspection limit";

    private final Interception policy;
    private final Channel client;
    private final SessionLog log;
    private final BooleanSupplier sessionOpen;
    private UnaryOperator<InspectionContext.Builder> details = UnaryOperator.identity();
    private boolean inspecting;
    private int inspectedCount;
    private int modifiedCount;
    private int deniedCount;

    /**
     * @param log the session's log, which also knows who the client is (address, session, user) for the context
     * @param sessionOpen false once the session closed: a verdict that arrives later is dropped
     */
    public MessageInterception(Interception policy, Channel client, SessionLog log, BooleanSupplier sessionOpen) {
        this.policy = policy;
        this.client = client;
        this.log = log;
        this.sessionOpen = sessionOpen;
    }

    /** What the protocol adds to the inspection context when a message is complete, e.g. the SMTP envelope. */
    public MessageInterception withDetails(UnaryOperator<InspectionContext.Builder> details) {
        this.details = details;
        return this;
    }

    private InspectionContext context() {
        return details.apply(InspectionContext.builder(policy.protocol(), policy.policyName())
            .user(log.user())
            .remoteAddress(log.remoteAddress())
            .sessionId(log.sessionId()))
            .build();
    }

    public boolean inspects() {
        return policy.inspects();
    }

    public InspectionSettings settings() {
        return policy.settings();
    }

    /** True while a message is with the proxy action: its verdict is not rendered yet. */
    public boolean isInspecting() {
        return inspecting;
    }

    /** For a message whose size is known before its bytes (an IMAP literal), or once it is complete. */
    public SizeDecision decide(long size) {
        if (size <= settings().getMaxMessageSize()) {
            return SizeDecision.INSPECT;
        }
        return settings().getOversize() == InspectionSettings.Oversize.REPLACE
            ? SizeDecision.REPLACE_WITH_NOTICE
            : SizeDecision.PASS_UNINSPECTED;
    }

    /** True when the policy refuses partial retrievals (IMAP {@code BODY[]<o.n>}, POP3 partial TOP). */
    /** Partial retrievals are answered from the inspected whole message ({@code partialFetch inspect}). */
    public boolean inspectsPartialRetrieval() {
        return inspects() && settings().getPartialFetch() == InspectionSettings.PartialFetch.INSPECT;
    }

    public boolean refusesPartialRetrieval() {
        return inspects() && settings().getPartialFetch() == InspectionSettings.PartialFetch.DENY;
    }

    /**
     * A collector bounded by the inspection limit.
     *
     * @param expectedSize the size the protocol announced (an IMAP literal), or -1
     */
    public MessageCollector collector(long expectedSize) {
        return new MessageCollector(settings().getMaxMessageSize(), expectedSize);
    }

    /** An oversize message relayed without inspection ({@code oversize pass}). */
    public void passedUninspected(long size) {
        policy.metrics().notInspected.increment();
        log.info("message of {} bytes above the inspection limit of {} bytes relayed uninspected", size,
            settings().getMaxMessageSize());
    }

    /** An oversize message replaced by the deny notice ({@code oversize replace}). */
    public void replaceOversize(byte[] start, VerdictRenderer renderer) {
        deniedCount++;
        policy.metrics().denied.increment();
        log.info("message above the inspection limit replaced by the deny notice");
        renderer.denied(DenyNotice.render(start, OVERSIZE_REASON, ZonedDateTime.now()), OVERSIZE_REASON);
    }

    /** Runs the proxy action over the message off the event loop; the verdict is rendered on it. */
    public void inspect(byte[] message, VerdictRenderer renderer) {
        inspecting = true;
        InspectionContext context = context();
        policy.runner().inspect(context, message, client.eventLoop(), log, result -> {
            inspecting = false;
            if (sessionOpen.getAsBoolean()) {
                // The summary is read only for a verdict that is logged (not for a message the action left alone).
                render(result, message, () -> MessageSummary.of(context, message), renderer);
            }
        });
    }

    /**
     * One line per verdict, with the user and client (in the line's prefix and James's MDC keys), sender, recipients,
     * what happened and why: refusals at WARN (visible with James's stock logback), modifications at INFO.
     */
    private void render(InspectionResult result, byte[] original, Supplier<String> who, VerdictRenderer renderer) {
        inspectedCount++;
        policy.metrics().inspected.increment();
        String reason = result.getReason().orElse("Message refused by policy");
        String user = log.user().orElse("(not logged in)");
        // A switch expression: a new verdict does not compile until it is rendered here.
        Runnable rendering = switch (result.getVerdict()) {
            case ALLOW -> () -> allowed(result, original, user, who, renderer);
            case DENY -> () -> {
                refused();
                log.warn("message denied by the proxy action: {} (user {}, {})", reason, user, who.get());
                renderer.denied(result.getContent().orElseThrow(), reason);
            };
            case TEMPFAIL -> () -> {
                refused();
                log.warn("message temporarily refused by the proxy action: {} (user {}, {})", reason, user, who.get());
                renderer.tempfailed(result.getContent().orElseThrow(), reason);
            };
            case DROP -> () -> closing(false, reason, user, who, renderer);
            case BLOCK -> () -> closing(true, reason, user, who, renderer);
        };
        rendering.run();
    }

    private void allowed(InspectionResult result, byte[] original, String user, Supplier<String> who, VerdictRenderer renderer) {
        if (result.isModified()) {
            modifiedCount++;
            policy.metrics().modified.increment();
            log.info("message modified by the proxy action (user {}, {})", user, who.get());
        }
        renderer.allowed(result.getContent().orElse(original), result.isModified());
    }

    private void closing(boolean block, String reason, String user, Supplier<String> who, VerdictRenderer renderer) {
        refused();
        log.warn("message {} by the proxy action, closing the connection: {} (user {}, {})", block ? "blocked" : "dropped",
            reason, user, who.get());
        if (block) {
            // Reported before the close, while the session still knows everything about the client.
            policy.blocker().blockPeer(org.jamesproxy.haproxy.ClientAddress.of(client).source(), reason);
        }
        renderer.closing();
    }

    private void refused() {
        deniedCount++;
        policy.metrics().denied.increment();
    }

    public int deniedCount() {
        return deniedCount;
    }

    /** For the session's last log line. */
    public String summary() {
        return inspectedCount + " message(s) inspected, " + modifiedCount + " modified, " + deniedCount + " denied";
    }
}
