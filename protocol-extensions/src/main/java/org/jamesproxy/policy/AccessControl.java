package org.jamesproxy.policy;

import static java.util.concurrent.CompletableFuture.completedFuture;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.util.MDCBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One policy's connection rules at run time: decides each connect (schedule, blocked-sites list, access rules,
 * connection rates, in that order) and feeds the blocked-sites list from denied dispositions, {@code block} verdicts,
 * failed logins and rate breaches. The state lives in the shared {@link PolicyStateStore}, so every node using the same
 * store enforces one list.
 * <p>
 * Every refusal and every block is one INFO line (MDC {@code ip}, {@code policy}, {@code event}) and a counter
 * ({@code mailproxy-access-refused}, {@code mailproxy-access-blocked}).
 */
public final class AccessControl implements ClientBlocker {
    private static final Logger LOGGER = LoggerFactory.getLogger(AccessControl.class);
    public static final String REFUSED_METRIC = "mailproxy-access-refused";
    public static final String BLOCKED_METRIC = "mailproxy-access-blocked";
    public static final String STORE_FAILURES_METRIC = "mailproxy-state-store-failures";
    private static final String ACCESS_DENIED = "access denied";
    private static final int MAX_REMEMBERED_LOCK_OUTS = 100_000;

    /**
     * What to do with one connection. {@code reason} is for the log; {@code clientText} for the refusal line, which
     * names no rule, list or limit.
     */
    public record Decision(Disposition disposition, String reason, String clientText, java.util.List<String> to) {
        static final Decision ALLOW = new Decision(Disposition.ALLOWED, "allowed", "", java.util.List.of());

        Decision(Disposition disposition, String reason, String clientText) {
            this(disposition, reason, clientText, java.util.List.of());
        }

        /** Allowed toward the pool members of the rule that matched (empty: any). */
        static Decision allowTo(java.util.List<String> members) {
            return members.isEmpty() ? ALLOW : new Decision(Disposition.ALLOWED, "allowed", "", members);
        }

        public boolean allowed() {
            return disposition == Disposition.ALLOWED;
        }
    }

    private final String policyName;
    private final AccessPolicy policy;
    private final PolicyStateStore store;
    private final Clock clock;
    private final ClientBlocker next;
    private final Metric refused;
    private final Metric blocked;
    private final Metric storeFailures;
    /** Lock-outs this node learnt, for answers a shared store has not given yet; refreshed by every lookup. */
    private final java.util.Set<String> lockedOut = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param next the plugin-wide block hook, still told of every {@code block} verdict */
    public AccessControl(String policyName, AccessPolicy policy, PolicyStateStore store, Clock clock,
                         MetricFactory metricFactory, ClientBlocker next) {
        this.policyName = policyName;
        this.policy = policy;
        this.store = store;
        this.clock = clock;
        this.next = next;
        this.refused = metricFactory.generate(REFUSED_METRIC);
        this.blocked = metricFactory.generate(BLOCKED_METRIC);
        this.storeFailures = metricFactory.generate(STORE_FAILURES_METRIC);
    }

    public AccessPolicy policy() {
        return policy;
    }

    /**
     * Decides one connect: schedule, access rules (first match, an O(log n) lookup), then the blocked-sites list and
     * the connection rates, asked together. Completes at once with the in-memory store; with a shared store, when it
     * has answered.
     * A store that cannot answer fails open (the connection is decided by the access rules alone), logged WARN
     * and counted ({@value #STORE_FAILURES_METRIC}): the mail service stays up when the shared store is down.
     */
    public CompletableFuture<Decision> onConnect(InetAddress client) {
        Instant now = clock.instant();
        if (!policy.schedule().isOpen(now)) {
            return completedFuture(refuse(client, policy.refusal(), "outside the operating schedule",
                "service closed at this time, try later"));
        }
        boolean exception = policy.autoBlock().isException(client);
        AccessRule rule = policy.rules().match(client);
        if (rule.disposition() != Disposition.ALLOWED) {
            if (rule.autoBlock() && !exception) {
                block(client, "denied by access rule " + rule.name(), now);
            }
            return completedFuture(refuse(client, rule.disposition(), "denied by access rule " + rule.name(), ACCESS_DENIED));
        }
        // Both store questions at once: one round trip to a shared store per connect.
        // The list is every policy's (and the operator's): looked up whether or not this policy feeds it.
        CompletableFuture<Optional<BlockedSite>> site = exception
            ? completedFuture(Optional.empty()) : orEmpty(store.blocked(key(client), now), "blocked-sites lookup");
        CompletableFuture<Optional<String>> breach = rateBreach(client, exception, now);
        return site.thenCombine(breach, (blockedSite, rateBreach) -> {
            if (blockedSite.isPresent()) {
                return refuse(client, policy.refusal(), "blocked until " + blockedSite.get().until() + " ("
                    + blockedSite.get().reason() + ")", ACCESS_DENIED);
            }
            if (rateBreach.isPresent()) {
                if (policy.rateLimits().autoBlock()) {
                    block(client, "rate limit: " + rateBreach.get(), now);
                }
                return refuse(client, policy.refusal(), "rate limit: " + rateBreach.get(), "too many connections, try later");
            }
            return Decision.allowTo(rule.to());
        });
    }

    /** Counts the connect in the rate windows; the limit it breaks, if any. */
    private CompletableFuture<Optional<String>> rateBreach(InetAddress client, boolean exception, Instant now) {
        AccessPolicy.RateLimits limits = policy.rateLimits();
        if (limits.isNone() || exception) {
            return completedFuture(Optional.empty());
        }
        CompletableFuture<Long> perSecond = limits.connectionsPerSecond() > 0
            ? orZero(store.increment(counter("connections-1s", client), Duration.ofSeconds(1), now)) : completedFuture(0L);
        CompletableFuture<Long> perMinute = limits.connectionsPerMinute() > 0
            ? orZero(store.increment(counter("connections-1m", client), Duration.ofMinutes(1), now)) : completedFuture(0L);
        return perSecond.thenCombine(perMinute, (second, minute) -> {
            if (limits.connectionsPerSecond() > 0 && second > limits.connectionsPerSecond()) {
                return Optional.of("more than " + limits.connectionsPerSecond() + " connections per second");
            }
            if (limits.connectionsPerMinute() > 0 && minute > limits.connectionsPerMinute()) {
                return Optional.of("more than " + limits.connectionsPerMinute() + " connections per minute");
            }
            return Optional.empty();
        });
    }

    /**
     * A login the upstream refused. Counts per source and per user; over a limit the source is blocked and the user
     * locked out for the auto-block duration. (The session logs the failure itself, one WARN line.)
     */
    public void loginFailed(InetAddress client, String user) {
        Instant now = clock.instant();
        AccessPolicy.AutoBlock autoBlock = policy.autoBlock();
        if (!autoBlock.enabled()) {
            return;
        }
        if (autoBlock.failedLoginsPerSource() > 0 && !autoBlock.isException(client)) {
            orZero(store.increment(counter("failed-logins", client), autoBlock.failedLoginWindow(), now))
                .thenAccept(count -> {
                    if (count >= autoBlock.failedLoginsPerSource()) {
                        block(client, count + " failed logins within " + autoBlock.failedLoginWindow(), now);
                    }
                });
        }
        if (autoBlock.failedLoginsPerUser() > 0) {
            orZero(store.increment("failed-logins-user:" + policyName + ":" + normalise(user), autoBlock.failedLoginWindow(), now))
                .thenAccept(count -> {
                    if (count >= autoBlock.failedLoginsPerUser()) {
                        store.stick(lockOutKey(user), "locked", now.plus(autoBlock.duration()));
                        remember(lockOutKey(user));
                        MDCBuilder.withMdc(mdc(client, "user-locked-out").addToContext(MDCBuilder.USER, user),
                            () -> LOGGER.info("Policy {}: user '{}' locked out for {} after {} failed logins", policyName,
                                user, autoBlock.duration(), count));
                    }
                });
        }
    }

    /**
     * True while the user is locked out after failed logins: the proxy then refuses the login itself, before the
     * upstream sees the credentials. Answered without waiting: the store's answer when it is immediate (in memory),
     * else what this node last learnt, the lookup refreshing that for the next attempt. So with a shared store an
     * attacker gets at most one more attempt per node after another node locked the user out.
     */
    public boolean isLockedOut(String user) {
        AccessPolicy.AutoBlock autoBlock = policy.autoBlock();
        if (!autoBlock.enabled() || autoBlock.failedLoginsPerUser() == 0) {
            return false;
        }
        Instant now = clock.instant();
        String key = lockOutKey(user);
        CompletableFuture<Optional<String>> lookup = orEmpty(store.sticky(key, now), "lock-out lookup");
        lookup.thenAccept(found -> {
            if (found.isPresent()) {
                remember(key);
            } else {
                lockedOut.remove(key);
            }
        });
        if (lookup.isDone()) {
            return lookup.join().isPresent();
        }
        return lockedOut.contains(key);
    }

    private void remember(String lockOutKey) {
        if (lockedOut.size() >= MAX_REMEMBERED_LOCK_OUTS) {
            // Many users locked out at once (a spray attack): the store stays the authority, this is a cache.
            lockedOut.clear();
        }
        lockedOut.add(lockOutKey);
    }

    /** A {@code block} verdict of the proxy action. */
    @Override
    public void block(InetAddress client, String reason) {
        next.block(client, reason);
        if (policy.autoBlock().enabled() && policy.autoBlock().onBlockVerdict() && !policy.autoBlock().isException(client)) {
            block(client, "block verdict: " + reason, clock.instant());
        }
    }

    private void block(InetAddress client, String reason, Instant now) {
        AccessPolicy.AutoBlock autoBlock = policy.autoBlock();
        if (!autoBlock.enabled() || autoBlock.isException(client)) {
            return;
        }
        Instant until = now.plus(autoBlock.duration());
        store.block(new BlockedSite(key(client), until, reason, policyName)).exceptionally(failure -> {
            storeFailed("block", failure);
            return null;
        });
        blocked.increment();
        MDCBuilder.withMdc(mdc(client, "client-blocked").addToContext("blockReason", reason),
            () -> LOGGER.info("Policy {}: blocked {} until {}: {}", policyName, client.getHostAddress(), until, reason));
    }

    private Decision refuse(InetAddress client, Disposition disposition, String reason, String clientText) {
        refused.increment();
        MDCBuilder.withMdc(mdc(client, "connection-refused"),
            () -> LOGGER.info("Policy {}: connection from {} refused ({}): {}", policyName, client.getHostAddress(),
                disposition.name().toLowerCase(Locale.ROOT).replace('_', '-'), reason));
        return new Decision(disposition, reason, clientText);
    }

    private <T> CompletableFuture<Optional<T>> orEmpty(CompletableFuture<Optional<T>> answer, String what) {
        return answer.exceptionally(failure -> {
            storeFailed(what, failure);
            return Optional.empty();
        });
    }

    private CompletableFuture<Long> orZero(CompletableFuture<Long> answer) {
        return answer.exceptionally(failure -> {
            storeFailed("counter", failure);
            return 0L;
        });
    }

    private void storeFailed(String what, Throwable failure) {
        storeFailures.increment();
        LOGGER.warn("Policy {}: shared state store {} did not answer the {} ({}); deciding without it", policyName,
            store.describe(), what, failure.getMessage());
    }

    private MDCBuilder mdc(InetAddress client, String event) {
        return MDCBuilder.create()
            .addToContext("event", event)
            .addToContext("policy", policyName)
            .addToContext(MDCBuilder.IP, client.getHostAddress());
    }

    private String counter(String what, InetAddress client) {
        return what + ":" + policyName + ":" + key(client);
    }

    private String lockOutKey(String user) {
        return "locked-out:" + policyName + ":" + normalise(user);
    }

    private static String normalise(String user) {
        return user.toLowerCase(Locale.ROOT);
    }

    /** The blocked-sites key: IPv4-mapped IPv6 clients as their IPv4 address, so dual-stack sockets agree. */
    static String key(InetAddress client) {
        byte[] bytes = AddressRange.comparable(client);
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            return client.getHostAddress();
        }
    }
}
