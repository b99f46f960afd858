package org.jamesproxy.imap;

import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.james.metrics.api.MetricFactory;
import org.jamesproxy.config.ImapPolicy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.relay.InspectionRunner;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** Everything an IMAP proxy session of one policy needs, built once at boot and shared by its sessions. */
final class ImapProxyRuntime {
    final ImapPolicy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final InspectionRunner inspection;
    final ImapProxyMetrics metrics;
    final String helloName;
    final ClientBlocker blocker;

    ImapProxyRuntime(ImapPolicy policy, UpstreamRoute route, Optional<ServerTlsContext> serverTls,
                     MessageInspector inspector, Executor inspectionExecutor, MetricFactory metricFactory, String helloName,
                     ClientBlocker blocker) {
        this.policy = policy;
        this.route = route;
        this.serverTls = serverTls;
        this.inspection = new InspectionRunner(inspector, inspectionExecutor);
        this.metrics = new ImapProxyMetrics(metricFactory);
        this.helloName = helloName;
        this.blocker = blocker;
    }

    String policyName() {
        return policy.getPolicy().getName();
    }
}
