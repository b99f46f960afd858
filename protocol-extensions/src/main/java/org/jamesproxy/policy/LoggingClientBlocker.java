package org.jamesproxy.policy;

import java.net.InetAddress;

import javax.inject.Inject;

import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.util.MDCBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link ClientBlocker}: a WARN event with the MDC keys {@code event=client-block-requested},
 * {@code ip} and {@code blockReason} (James's JSON log layouts render MDC as fields), and the counter
 * {@value #BLOCK_REQUESTS}. Nothing is refused later: there is no
 * auto-block list yet.
 */
public class LoggingClientBlocker implements ClientBlocker {
    public static final String BLOCK_REQUESTS = "mailproxy-block-requests";
    private static final Logger LOGGER = LoggerFactory.getLogger(LoggingClientBlocker.class);

    private final Metric requests;

    @Inject
    public LoggingClientBlocker(MetricFactory metricFactory) {
        this.requests = metricFactory.generate(BLOCK_REQUESTS);
    }

    @Override
    public void block(InetAddress client, String reason) {
        requests.increment();
        MDCBuilder.withMdc(MDCBuilder.create()
            .addToContext("event", "client-block-requested")
            .addToContext(MDCBuilder.IP, client.getHostAddress())
            .addToContext("blockReason", reason),
            () -> LOGGER.warn("block requested for client {} ({}); no auto-block list is configured yet, the connection was only closed",
            client.getHostAddress(), reason));
    }
}
