package org.jamesproxy.smtp;

import java.util.Optional;
import java.util.concurrent.Executor;

import org.apache.james.metrics.api.MetricFactory;
import org.jamesproxy.config.SmtpPolicy;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.relay.InspectionRunner;
import org.jamesproxy.relay.UpstreamRoute;
import org.jamesproxy.tls.ServerTlsContext;

/** Everything an SMTP proxy session of one policy needs, built once at boot and shared by its sessions. */
final class SmtpProxyRuntime {
    final SmtpPolicy policy;
    final UpstreamRoute route;
    final Optional<ServerTlsContext> serverTls;
    final InspectionRunner inspection;
    final boolean inspects;
    final SmtpProxyMetrics metrics;
    final String helloName;
    final ClientBlocker blocker;

    SmtpProxyRuntime(SmtpPolicy policy, UpstreamRoute route, Optional<ServerTlsContext> serverTls,
                     MessageInspector inspector, Executor inspectionExecutor, MetricFactory metricFactory, String helloName,
                     ClientBlocker blocker) {
        this.policy = policy;
        this.route = route;
        this.serverTls = serverTls;
        this.inspection = new InspectionRunner(inspector, inspectionExecutor);
        // Without a proxy action the message skips the hop to the inspection pool.
        this.inspects = inspector != MessageInspector.PASS_THROUGH;
        this.metrics = new SmtpProxyMetrics(metricFactory);
        this.helloName = helloName;
        this.blocker = blocker;
    }

    String policyName() {
        return policy.getPolicy().getName();
    }
}
