package org.jamesproxy.modules;

import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.annotation.PreDestroy;
import javax.inject.Inject;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.util.concurrent.NamedThreadFactory;
import org.jamesproxy.client.ClientAction;
import org.jamesproxy.client.ClientActionRoute;
import org.jamesproxy.client.DestinationResolver;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.inspection.ProxyAction;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.jamesproxy.inspection.ProxyActionInspector;
import org.jamesproxy.inspection.ProxyActionLoader;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ParallelStop;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.balance.HealthChecker;
import org.jamesproxy.balance.PoolRoute;
import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.policy.InMemoryPolicyStateStore;
import org.jamesproxy.policy.PolicyStateStore;
import org.jamesproxy.protocols.ProxyProtocols;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.relay.RelayMetrics;
import org.jamesproxy.relay.FixedRoute;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;
import org.jamesproxy.tls.UpstreamTlsContext;
import org.jamesproxy.tls.authority.HostCertificates;
import org.jamesproxy.tls.authority.ProxyAuthorityFiles;
import org.jamesproxy.tls.reload.CertificateReloader;
import org.jamesproxy.upstream.UpstreamConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Maps;

/**
 * Reads conf/mailproxy.xml once, builds every policy's listeners, upstream connector and inspection pipeline,
 * and binds them. Any configuration error stops James's boot with the element and value named.
 */
public class MailProxyService {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailProxyService.class);
    public static final String CONFIGURATION_NAME = "mailproxy";

    private final ConfigurationProvider configurationProvider;
    private final FileSystem fileSystem;
    private final MetricFactory metricFactory;
    private final ProxyActionLoader actionLoader;
    private final ClientBlocker clientBlocker;
    /** Blocked sites, rate counters, stickiness: one store for every policy (in memory, or Redis for a cluster). */
    private PolicyStateStore stateStore = new InMemoryPolicyStateStore(Clock.systemUTC());
    private HealthChecker healthChecker = new HealthChecker();
    /** The pooled policies' routes, for the operator routes' member health. */
    private final List<PoolRoute> poolRoutes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private List<ProxyListenerPair> pairs = ImmutableList.of();
    private ImmutableMap<String, ProxyAction> actions = ImmutableMap.of();
    /** What each action is made of: part of the key of what is cached from its verdicts. */
    private ImmutableMap<String, String> actionDefinitions = ImmutableMap.of();
    private ExecutorService inspectionExecutor;
    private CertificateReloader certificateReloader = new CertificateReloader();
    private java.time.Duration reloadCheckInterval = ServerTlsContext.DEFAULT_RELOAD_CHECK_INTERVAL;
    private Optional<HostCertificates> proxyAuthority = Optional.empty();
    private final Map<ProxyListenerPair, RelayMetrics.Names> metricNames = new IdentityHashMap<>();

    @Inject
    public MailProxyService(ConfigurationProvider configurationProvider, FileSystem fileSystem, MetricFactory metricFactory,
                            ProxyActionLoader actionLoader, ClientBlocker clientBlocker) {
        this.configurationProvider = configurationProvider;
        this.fileSystem = fileSystem;
        this.metricFactory = metricFactory;
        this.actionLoader = actionLoader;
        this.clientBlocker = clientBlocker;
    }

    public synchronized void start() {
        try {
            HierarchicalConfiguration<ImmutableNode> root = configurationProvider.getConfiguration(CONFIGURATION_NAME);
            MailProxyConfiguration configuration = MailProxyConfiguration.parse(root);
            if (configuration.isEmpty()) {
                LOGGER.warn("conf/{}.xml defines no enabled proxy policy: the mail proxy is not listening", CONFIGURATION_NAME);
                return;
            }
            stateStore = configuration.getSharedState().open(Clock.systemUTC());
            LOGGER.info("Mail proxy policy state (blocked sites, rate counters): {}", stateStore.describe());
            int threads = configuration.getInspectionThreads();
            inspectionExecutor = Executors.newFixedThreadPool(threads, NamedThreadFactory.withName("mailproxy-inspection"));
            actions = loadActions(configuration);
            actionDefinitions = ImmutableMap.copyOf(Maps.transformValues(configuration.getProxyActions(), ProxyActionDefinition::canonicalForm));
            reloadCheckInterval = configuration.getCertificateReloadCheckInterval();
            proxyAuthority = loadProxyAuthority(configuration);
            ImmutableList.Builder<ProxyListenerPair> built = ImmutableList.builder();
            for (ProxyProtocol<?> protocol : ProxyProtocols.ALL) {
                addListeners(protocol, configuration, built);
            }
            pairs = built.build();
            certificateReloader.registerMBean();
            startAll();
        } catch (ConfigurationException e) {
            stop();
            throw new IllegalStateException("Invalid conf/" + CONFIGURATION_NAME + ".xml: " + e.getMessage(), e);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException("The mail proxy could not start: " + e.getMessage(), e);
        }
    }

    private ImmutableMap<String, ProxyAction> loadActions(MailProxyConfiguration configuration) throws ConfigurationException {
        ImmutableMap.Builder<String, ProxyAction> actions = ImmutableMap.builder();
        for (var entry : configuration.getProxyActions().entrySet()) {
            actions.put(entry.getKey(), actionLoader.load(entry.getValue()));
        }
        return actions.buildOrThrow();
    }

    /** The shared Proxy Authority, reloaded with the other certificates when its files change. */
    private Optional<HostCertificates> loadProxyAuthority(MailProxyConfiguration configuration) throws ConfigurationException {
        if (configuration.getProxyAuthority().isEmpty()) {
            return Optional.empty();
        }
        // Its files are needed only by an enabled client-action policy without its own authority.
        boolean used = configuration.commonPolicies().stream()
            .anyMatch(policy -> policy.getClientAction().filter(action -> action.getProxyAuthority().isEmpty()).isPresent());
        if (!used) {
            LOGGER.info("mailproxy.proxyAuthority is not loaded: no enabled client-action policy uses it");
            return Optional.empty();
        }
        ProxyAuthorityFiles files = ProxyAuthorityFiles.load(fileSystem, configuration.getProxyAuthority().get(), reloadCheckInterval);
        certificateReloader.register(files.material());
        return Optional.of(files);
    }

    private <P> void addListeners(ProxyProtocol<P> protocol, MailProxyConfiguration configuration,
                                  ImmutableList.Builder<ProxyListenerPair> built) throws ConfigurationException {
        int index = 0;
        for (P policy : configuration.policies(protocol.kind())) {
            String path = "mailproxy." + protocol.kind().element() + "[" + index++ + "]";
            ProxyListenerPair pair = protocol.listeners(policy,
                resources(protocol.kind().common().apply(policy), path, protocol.greetingPrefix()));
            protocol.metricNames().ifPresent(names -> metricNames.put(pair, names));
            built.add(pair);
        }
    }

    /** What every protocol's policy needs, built from its shared part: TLS on both legs and the proxy action. */
    private PolicyResources resources(ProxyPolicy policy, String path, String greetingPrefix) throws ConfigurationException {
        Optional<ServerTlsContext> serverTls = policy.needsProxyServerCertificate()
            ? Optional.of(ServerTlsContext.load(fileSystem, policy.listenerConfig(), path, policy.getClientTlsProfile(), reloadCheckInterval))
            : Optional.empty();
        serverTls.flatMap(ServerTlsContext::material).ifPresent(certificateReloader::register);
        Optional<UpstreamTlsContext> upstreamTls = upstreamTls(policy.getUpstream(), path + ".upstream");
        MessageInspector inspector = policy.getInspection().getProxyAction()
            .<MessageInspector>map(name -> new ProxyActionInspector(actions.get(name), policy.getInspection().getOnError(), metricFactory))
            .orElse(MessageInspector.PASS_THROUGH);
        UpstreamConnector connector = new UpstreamConnector(policy.getUpstream(), upstreamTls);
        UpstreamRoute route;
        if (policy.getClientAction().isPresent()) {
            route = new ClientActionRoute(connector, ClientAction.create(policy, fileSystem, proxyAuthority, DestinationResolver.SYSTEM, path));
        } else if (policy.getUpstreamPool().isPresent()) {
            PoolRoute pool = PoolRoute.create(policy, policy.getUpstreamPool().get(), this::upstreamTls, path, stateStore, Clock.systemUTC());
            healthChecker.watch(pool, greetingPrefix);
            poolRoutes.add(pool);
            route = pool;
        } else {
            route = new FixedRoute(connector);
        }
        String actionDefinition = policy.getInspection().getProxyAction().map(actionDefinitions::get).orElse("");
        return new PolicyResources(route, serverTls, inspector, actionDefinition, inspectionExecutor, metricFactory, fileSystem, clientBlocker,
            stateStore, Clock.systemUTC());
    }

    private Optional<UpstreamTlsContext> upstreamTls(UpstreamConfig leg, String path) throws ConfigurationException {
        return leg.getTls() == UpstreamTls.NONE ? Optional.empty() : Optional.of(UpstreamTlsContext.load(fileSystem, leg, path));
    }

    private void startAll() throws Exception {
        for (ProxyListenerPair pair : pairs) {
            pair.start();
            LOGGER.info("Mail proxy policy '{}' listening on {} toward {}:{} ({})", pair.getPolicy().getName(),
                pair.getListeners().stream().map(listener -> String.join(",", listener.getBoundAddresses())).toList(),
                pair.getPolicy().getUpstream().getHost(), pair.getPolicy().getUpstream().getPort(),
                pair.getPolicy().getUpstream().getTls());
        }
    }

    /** Blocked sites, counters and stickiness, shared by every policy (and node, with Redis). */
    public synchronized PolicyStateStore policyState() {
        return stateStore;
    }

    /** The policies whose upstream is a pool, with their members' health. */
    public List<PoolRoute> pools() {
        return List.copyOf(poolRoutes);
    }

    /** Every started policy with its listeners, for the operator routes. */
    public synchronized List<ProxyListenerPair> policyPairs() {
        return pairs;
    }

    /**
     * The counters of the policy's protocol by name, as James's MetricFactory holds them (shared by the protocol's
     * policies: the relays count per protocol).
     */
    public synchronized Map<String, Long> protocolCounters(ProxyListenerPair pair) {
        Map<String, Long> counters = new LinkedHashMap<>();
        Optional.ofNullable(metricNames.get(pair)).ifPresent(names -> RelayMetrics.counterNames(names)
            .forEach(name -> counters.put(name, metricFactory.generate(name).getCount())));
        return counters;
    }

    /** The Proxy Server certificates and the Proxy Authority in use. */
    public synchronized List<org.jamesproxy.tls.reload.ReloadableMaterial<?>> certificateMaterials() {
        return certificateReloader.materials();
    }

    /** Re-reads every certificate file now; what changed, in words. */
    public synchronized String reloadCertificates() {
        return certificateReloader.reloadCertificates();
    }

    /** Every bound listener, for operators' tools and tests. */
    public synchronized List<ProxyListener> listeners() {
        return pairs.stream().flatMap(pair -> pair.getListeners().stream()).collect(ImmutableList.toImmutableList());
    }

    @PreDestroy
    public synchronized void stop() {
        // Together: each listener's unbind waits out Netty's quiet period, so one by one would add up.
        long begin = System.nanoTime();
        ParallelStop.run("the mail proxy listeners", pairs.stream().<Runnable>map(pair -> pair::stop).toList());
        if (!pairs.isEmpty()) {
            LOGGER.info("Mail proxy: {} policies stopped in {} ms", pairs.size(), (System.nanoTime() - begin) / 1_000_000);
        }
        pairs = ImmutableList.of();
        metricNames.clear();
        certificateReloader.unregisterMBean();
        certificateReloader = new CertificateReloader();
        if (inspectionExecutor != null) {
            inspectionExecutor.shutdownNow();
            inspectionExecutor = null;
        }
        // Mailets may hold resources (connections to engines): destroyed once the listeners are gone.
        actions.values().forEach(ProxyAction::destroy);
        actions = ImmutableMap.of();
        actionDefinitions = ImmutableMap.of();
        healthChecker.close();
        healthChecker = new HealthChecker();
        poolRoutes.clear();
        stateStore.close();
    }
}
