package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import org.jamesproxy.config.ImapPolicy;
import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.config.ViewCacheSettings;
import org.jamesproxy.imap.view.InMemoryVerdictCache;
import org.jamesproxy.imap.view.VerdictCache;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.policy.AccessControl;
import org.jamesproxy.relay.InFlightBudget;
import org.jamesproxy.relay.Interception;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.RelayMetrics;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One IMAP policy at run time, built once at boot and shared by its sessions. */
final class ImapProxy {
    private static final Logger LOGGER = LoggerFactory.getLogger(ImapProxy.class);

    final ImapPolicy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final RelayMetrics metrics;
    final Interception interception;
    /** Connection rules: failed logins feed the policy's auto-block. */
    final AccessControl access;
    final String helloName;
    /** The policy's inspected views, shared by its sessions (a user's connections see the same message once). */
    final VerdictCache views;
    /** Part of every view's key: a change of action or inspection settings never serves an older verdict. */
    final String actionFingerprint;
    final ViewFetch.Counters viewCounters;
    /** Memory for messages on their way from the upstream into the view cache, shared by the policy's sessions. */
    final InFlightBudget inFlight;
    /** The inspection pool: views are built there too (MIME structure, spill files), never on an event loop. */
    final Executor inspectionExecutor;
    /** Sessions per (upstream, user): a user's views are dropped when their last session ends. */
    private final ConcurrentHashMap<String, Integer> userSessions = new ConcurrentHashMap<>();

    ImapProxy(ImapPolicy policy, PolicyResources resources) {
        this.policy = policy;
        this.route = resources.route();
        this.serverTls = resources.serverTls();
        this.metrics = new RelayMetrics(resources.metricFactory(), ImapProtocol.METRICS);
        this.interception = resources.interception(Protocol.IMAP, policy.getPolicy(), metrics);
        this.access = resources.accessControl(policy.getPolicy());
        this.helloName = policy.getPolicy().getHelloName();
        ViewCacheSettings cache = policy.getViewCache();
        this.inspectionExecutor = resources.inspectionExecutor();
        this.views = new InMemoryVerdictCache(cache.getMaxEntries(), cache.getMaxBytes(), cache.getSpillAbove(),
            cache.getLargeViewMemory(), cache.getSpillDirectory(), inspectionExecutor);
        this.inFlight = new InFlightBudget(cache.getMaxInFlight());
        this.actionFingerprint = fingerprint(policy, resources.actionDefinition());
        this.viewCounters = new ViewFetch.Counters(metrics.counter("view-upstream-fetches"), metrics.counter("view-cache-hits"));
        InspectionSettings inspection = policy.getPolicy().getInspection();
        if (interception.inspects() && inspection.getPartialFetch() == InspectionSettings.PartialFetch.PASS) {
            LOGGER.warn("IMAP policy {}: partialFetch pass: sections, header fetches and partial downloads "
                + "(BODY[2], BODY.PEEK[]<0.65536>, ...) reach clients UNINSPECTED; only whole-message fetches go through "
                + "proxy action {}", policyName(), inspection.getProxyAction().orElse(""));
        }
    }

    String policyName() {
        return policy.getPolicy().getName();
    }

    /** True when FETCH content items are answered from inspected views. */
    boolean answersFetchFromViews() {
        return interception.inspects()
            && policy.getPolicy().getInspection().getPartialFetch() == InspectionSettings.PartialFetch.INSPECT;
    }

    void sessionStarted(String upstream, String user) {
        userSessions.merge(upstream + '\u0000' + user, 1, Integer::sum);
    }

    void sessionEnded(String upstream, String user) {
        Integer left = userSessions.computeIfPresent(upstream + '\u0000' + user, (key, count) -> count == 1 ? null : count - 1);
        if (left == null) {
            views.dropUser(upstream, user);
        }
    }

    private static String fingerprint(ImapPolicy policy, String actionDefinition) {
        // The policy, every inspection setting and what the action is made of: a change of any builds a new key.
        String source = policy.getPolicy().getName() + '\u0000' + policy.getPolicy().getInspection() + '\u0000' + actionDefinition;
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
