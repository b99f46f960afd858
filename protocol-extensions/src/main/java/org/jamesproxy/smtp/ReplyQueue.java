package org.jamesproxy.smtp;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The commands awaiting a reply, in client order (PIPELINING, RFC 2920): those forwarded wait for the upstream's
 * reply, and the proxy's own replies wait behind them, so that the client reads every reply in the order it sent the
 * commands. Each entry remembers the transaction it was asked in.
 */
final class ReplyQueue {
    /** A command awaiting its reply; a local one ({@code handler} null) carries the proxy's reply. */
    record Pending(SmtpCommandHandler handler, String localReply, int generation, Optional<SmtpPath> path) {
        boolean isLocal() {
            return handler == null;
        }
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Consumer<String> client;

    /** @param client writes one of the proxy's own reply lines to the client */
    ReplyQueue(Consumer<String> client) {
        this.client = client;
    }

    /** A forwarded command; its reply is the handler's. */
    void forwarded(SmtpCommandHandler handler, int generation, Optional<SmtpPath> path) {
        pending.add(new Pending(handler, null, generation, path));
    }

    /** The next upstream reply is the handler's, ahead of every queued entry. */
    void forwardedFirst(SmtpCommandHandler handler, int generation) {
        pending.addFirst(new Pending(handler, null, generation, Optional.empty()));
    }

    /** The proxy's own reply: at once when nothing waits before it, else in its turn. */
    void local(String reply, int generation) {
        if (pending.isEmpty()) {
            client.accept(reply);
        } else {
            pending.add(new Pending(null, reply, generation, Optional.empty()));
        }
    }

    /** The entry an upstream reply answers, removed; empty when none waits for the upstream (an unsolicited reply). */
    Optional<Pending> answered() {
        Pending head = pending.peekFirst();
        if (head == null || head.isLocal()) {
            return Optional.empty();
        }
        return Optional.of(pending.pollFirst());
    }

    /** Writes the proxy's replies that no longer wait for anything. */
    void drainLocal() {
        while (!pending.isEmpty() && pending.peekFirst().isLocal()) {
            client.accept(pending.pollFirst().localReply());
        }
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /** True when a command other than {@code ignored} still waits for the upstream. */
    boolean awaitsUpstreamOtherThan(SmtpCommandHandler ignored) {
        return pending.stream().anyMatch(entry -> !entry.isLocal() && entry.handler() != ignored);
    }
}
