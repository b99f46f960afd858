package org.jamesproxy.balance;

import java.util.concurrent.atomic.AtomicInteger;

import org.jamesproxy.config.UpstreamPool;
import org.jamesproxy.upstream.UpstreamConnector;

/**
 * One server of a pool at run time: its connector (TLS verified for its own name), the connections open to it, and
 * its health as the active checks and failed client connections see it. Thread-safe: every listener thread
 * balances over the same members.
 */
public final class PoolMember {
    private final UpstreamPool.Member config;
    private final UpstreamConnector connector;
    private final AtomicInteger activeConnections = new AtomicInteger();
    private volatile boolean up = true;
    private volatile String lastCheck = "not checked yet";
    private int failuresInARow;
    private int successesInARow;

    PoolMember(UpstreamPool.Member config, UpstreamConnector connector) {
        this.config = config;
        this.connector = connector;
    }

    public String id() {
        return config.id();
    }

    public int weight() {
        return config.weight();
    }

    public boolean isUp() {
        return up;
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    public String lastCheck() {
        return lastCheck;
    }

    UpstreamConnector connector() {
        return connector;
    }

    void opened() {
        activeConnections.incrementAndGet();
    }

    void closed() {
        activeConnections.decrementAndGet();
    }

    /** @return true when this changed the member's state (for one log line per transition) */
    synchronized boolean checked(boolean healthy, String outcome, UpstreamPool.HealthCheck rules) {
        lastCheck = outcome;
        if (healthy) {
            failuresInARow = 0;
            successesInARow++;
            if (!up && successesInARow >= rules.successes()) {
                up = true;
                return true;
            }
        } else {
            successesInARow = 0;
            failuresInARow++;
            if (up && failuresInARow >= rules.failures()) {
                up = false;
                return true;
            }
        }
        return false;
    }

    /** A client connection to it failed: down at once, until the checks see it answer again. */
    synchronized boolean connectFailed(String reason) {
        lastCheck = reason;
        successesInARow = 0;
        boolean changed = up;
        up = false;
        return changed;
    }

    @Override
    public String toString() {
        return id() + (up ? " (up, " : " (down, ") + activeConnections.get() + " connections)";
    }
}
