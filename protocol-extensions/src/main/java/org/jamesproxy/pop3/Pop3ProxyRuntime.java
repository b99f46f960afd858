package org.jamesproxy.pop3;

import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.james.metrics.api.MetricFactory;
import org.jamesproxy.config.Pop3Policy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.relay.InspectionRunner;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** Everything a POP3 proxy session of one policy needs, built once at boot and shared by its sessions. */
final class Pop3ProxyRuntime {
    final Pop3Policy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final InspectionRunner inspection;
    final boolean inspects;
    final Pop3ProxyMetrics metrics;
    final String helloName;
    final ClientBlocker blocker;

    Pop3ProxyRuntime(Pop3Policy policy, UpstreamRoute route, Optional<ServerTlsContext> serverTls,
                     MessageInspector inspector, Executor inspectionExecutor, MetricFactory metricFactory, String helloName,
                     ClientBlocker blocker) {
        this.policy = policy;
        this.route = route;
        this.serverTls = serverTls;
        this.inspection = new InspectionRunner(inspector, inspectionExecutor);
        this.inspects = policy.getPolicy().getInspection().getProxyAction().isPresent();
        this.metrics = new Pop3ProxyMetrics(metricFactory);
        this.helloName = helloName;
        this.blocker = blocker;
    }

    String policyName() {
        return policy.getPolicy().getName();
    }
}
