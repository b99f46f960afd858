package org.jamesproxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import com.google.common.collect.ImmutableList;

/**
 * Server load balancing: the upstream is a pool of mail servers that share the {@code <upstream>}'s TLS mode, trust
 * store, profile and timeouts.
 * <pre>{@code
 * <upstream>
 *   <tls>implicit</tls> <trustStore>...</trustStore>
 *   <pool balance="round-robin|least-connections|weighted" sticky="30m">
 *     <member host="imap-a.internal" port="993" weight="2"/>
 *     <member host="imap-b.internal" expectedHostName="imap.example.com"/>
 *     <healthCheck interval="10s" timeout="5s" failures="2" successes="1"/>
 *   </pool>
 * </upstream>
 * }</pre>
 * {@code sticky} keeps a client address on the member it last used for that long (absent: off).
 */
public record UpstreamPool(ImmutableList<Member> members, Balance balance, Duration sticky, HealthCheck healthCheck) {
    public enum Balance {
        ROUND_ROBIN,
        LEAST_CONNECTIONS,
        WEIGHTED
    }

    /** @param expectedHostName the name its certificate must carry; the member's host unless given */
    public record Member(String host, int port, int weight, String expectedHostName) {
        public String id() {
            return host + ":" + port;
        }
    }

    /**
     * Active checks: every {@code interval} the proxy connects to each member over the upstream's TLS (implicit mode:
     * handshake verified like a client leg) and reads the greeting; {@code failures} misses in a row mark a member
     * down, {@code successes} greetings in a row mark it up again. A failed client connection marks it down at once.
     */
    public record HealthCheck(Duration interval, Duration timeout, int failures, int successes) {
        public static final HealthCheck DEFAULT = new HealthCheck(Duration.ofSeconds(10), Duration.ofSeconds(5), 2, 1);
    }

    static Optional<UpstreamPool> parse(ConfigValues upstream, int defaultPort) throws ConfigurationException {
        if (!upstream.has("pool")) {
            return Optional.empty();
        }
        ConfigValues pool = upstream.child("pool", "pool");
        List<HierarchicalConfiguration<ImmutableNode>> elements = pool.raw().configurationsAt("member");
        if (elements.isEmpty()) {
            throw new ConfigurationException(pool.path() + " needs at least one <member host=\"...\"/>");
        }
        ImmutableList.Builder<Member> members = ImmutableList.builder();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int index = 0; index < elements.size(); index++) {
            ConfigValues member = new ConfigValues(elements.get(index), pool.path("member[" + index + "]"));
            String host = member.requiredString("[@host]");
            Member parsed = new Member(host, member.integer("[@port]", defaultPort, 1, 65535),
                member.integer("[@weight]", 1, 1, 1000), member.string("[@expectedHostName]", host));
            if (!ids.add(parsed.id())) {
                throw new ConfigurationException(member.path() + ": " + parsed.id() + " is listed twice");
            }
            members.add(parsed);
        }
        String balanceText = pool.string("[@balance]", "round-robin");
        Balance balance = switch (balanceText.trim().toLowerCase(Locale.ROOT)) {
            case "round-robin" -> Balance.ROUND_ROBIN;
            case "least-connections" -> Balance.LEAST_CONNECTIONS;
            case "weighted" -> Balance.WEIGHTED;
            default -> throw pool.invalid("[@balance]", balanceText, "round-robin, least-connections or weighted");
        };
        HealthCheck check = HealthCheck.DEFAULT;
        if (pool.has("healthCheck")) {
            ConfigValues element = pool.child("healthCheck", "healthCheck");
            check = new HealthCheck(element.duration("[@interval]", "10s"), element.duration("[@timeout]", "5s"),
                element.integer("[@failures]", 2, 1, 100), element.integer("[@successes]", 1, 1, 100));
        }
        Duration sticky = pool.has("[@sticky]") ? pool.duration("[@sticky]", "10m") : Duration.ZERO;
        return Optional.of(new UpstreamPool(members.build(), balance, sticky, check));
    }

    /** The first member's host: what a pooled {@code <upstream>} without {@code <host>} is named by in logs. */
    static Optional<String> firstHost(ConfigValues upstream) {
        return upstream.has("pool.member") ? upstream.optionalString("pool.member[@host]") : Optional.empty();
    }
}
