package org.jamesproxy.engine;

import java.time.Duration;
import java.util.Objects;

import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.MailetParameters;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * Where a scanning daemon listens and how long we wait for it: {@code connectTimeout} bounds the TCP connect,
 * {@code timeout} bounds the whole exchange (connect, sending, the daemon's work, the reply).
 */
public final class EngineEndpoint {
    /** From an engine mailet's {@code host}, {@code port}, {@code connectTimeout} and {@code timeout} parameters. */
    public static EngineEndpoint fromParameters(MailetParameters parameters, String defaultHost, int defaultPort,
                                                Duration defaultConnectTimeout, Duration defaultTimeout) throws MailetException {
        return of(parameters.string("host").orElse(defaultHost),
            parameters.integer("port", defaultPort, 1, 65535),
            parameters.duration("connectTimeout", defaultConnectTimeout),
            parameters.duration("timeout", defaultTimeout));
    }

    public static EngineEndpoint of(String host, int port, Duration connectTimeout, Duration timeout) {
        return new EngineEndpoint(host, port, connectTimeout, timeout);
    }

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration timeout;

    private EngineEndpoint(String host, int port, Duration connectTimeout, Duration timeout) {
        Preconditions.checkArgument(host != null && !host.isBlank(), "host must not be blank");
        Preconditions.checkArgument(port > 0 && port < 65536, "port out of range: %s", port);
        Preconditions.checkArgument(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connectTimeout must be positive");
        Preconditions.checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
    }

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public Duration getTimeout() {
        return timeout;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof EngineEndpoint) {
            EngineEndpoint that = (EngineEndpoint) o;
            return port == that.port
                && Objects.equals(host, that.host)
                && Objects.equals(connectTimeout, that.connectTimeout)
                && Objects.equals(timeout, that.timeout);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(host, port, connectTimeout, timeout);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("host", host)
            .add("port", port)
            .add("connectTimeout", connectTimeout)
            .add("timeout", timeout)
            .toString();
    }
}
