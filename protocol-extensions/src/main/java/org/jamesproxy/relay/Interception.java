package org.jamesproxy.relay;

import org.jamesproxy.config.InspectionSettings;
import org.jamesproxy.inspection.Protocol;
import org.jamesproxy.policy.ClientBlocker;

/**
 * What one policy does with the messages that cross it, whatever the protocol: its inspection settings (limit,
 * oversize, partial retrievals), the runner of its proxy action, its counters and where {@code block} verdicts go.
 * Built once at boot and shared by the policy's sessions; each session intercepts through a
 * {@link MessageInterception} of its own.
 */
public final class Interception {
    private final Protocol protocol;
    private final String policyName;
    private final InspectionSettings settings;
    private final InspectionRunner runner;
    private final RelayMetrics metrics;
    private final ClientBlocker blocker;

    public Interception(Protocol protocol, String policyName, InspectionSettings settings, InspectionRunner runner,
                        RelayMetrics metrics, ClientBlocker blocker) {
        this.protocol = protocol;
        this.policyName = policyName;
        this.settings = settings;
        this.runner = runner;
        this.metrics = metrics;
        this.blocker = blocker;
    }

    /** False for a policy without a proxy action: messages are relayed as they are. */
    public boolean inspects() {
        return settings.getProxyAction().isPresent();
    }

    public Protocol protocol() {
        return protocol;
    }

    public String policyName() {
        return policyName;
    }

    public InspectionSettings settings() {
        return settings;
    }

    InspectionRunner runner() {
        return runner;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    ClientBlocker blocker() {
        return blocker;
    }
}
