package org.jamesproxy.config;

import org.jamesproxy.policy.AddressRange;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.base.MoreObjects;
import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * A policy behind HAProxy or a load balancer ({@code <acceptProxyProtocol>}): every connection must start with a
 * PROXY protocol header (v1 or v2), sent by one of the {@code <trustedProxies>}; the address in the header is then
 * the client's for logs, limits, inspection and the identity sent upstream. A connection from any other address, a
 * missing or malformed header is closed before a byte of the mail protocol is spoken.
 */
public final class ProxyProtocolIn {
    public static final String ELEMENT = "acceptProxyProtocol";

    static Optional<ProxyProtocolIn> parse(ConfigValues policy) throws ConfigurationException {
        if (!policy.has(ELEMENT)) {
            return Optional.empty();
        }
        ConfigValues element = policy.child(ELEMENT, ELEMENT);
        String trusted = element.requiredString("trustedProxies");
        ImmutableList.Builder<AddressRange> ranges = ImmutableList.builder();
        for (String entry : Splitter.on(',').trimResults().omitEmptyStrings().split(trusted)) {
            if (entry.equals("*")) {
                throw element.invalid("trustedProxies", entry, "trusting every peer would let any client claim any address;"
                    + " list the load balancers' addresses");
            }
            try {
                ranges.add(AddressRange.parse(entry));
            } catch (IllegalArgumentException e) {
                throw element.invalid("trustedProxies", entry, e.getMessage()
                    + " (expected addresses or CIDR blocks, comma-separated, e.g. 10.0.0.0/8, 127.0.0.1)");
            }
        }
        Duration timeout = element.duration("headerTimeout", "5s");
        if (timeout.isZero() || timeout.isNegative()) {
            throw element.invalid("headerTimeout", timeout.toString(), "must be positive");
        }
        return Optional.of(new ProxyProtocolIn(ranges.build(), timeout));
    }

    private final ImmutableList<AddressRange> trustedProxies;
    private final Duration headerTimeout;

    public ProxyProtocolIn(ImmutableList<AddressRange> trustedProxies, Duration headerTimeout) {
        this.trustedProxies = trustedProxies;
        this.headerTimeout = headerTimeout;
    }

    public boolean trusts(InetAddress peer) {
        return trustedProxies.stream().anyMatch(range -> range.contains(peer));
    }

    public ImmutableList<AddressRange> getTrustedProxies() {
        return trustedProxies;
    }

    /** How long a trusted peer has to send its header. */
    public Duration getHeaderTimeout() {
        return headerTimeout;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof ProxyProtocolIn) {
            ProxyProtocolIn that = (ProxyProtocolIn) o;
            return Objects.equals(trustedProxies, that.trustedProxies) && Objects.equals(headerTimeout, that.headerTimeout);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(trustedProxies, headerTimeout);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("trustedProxies", trustedProxies)
            .add("headerTimeout", headerTimeout)
            .toString();
    }
}
