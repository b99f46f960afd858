package org.jamesproxy.policy;

import java.time.Duration;
import java.util.List;

import com.google.common.collect.ImmutableList;

/**
 * A policy's connection rules, parsed once from its {@code <access>}, {@code <autoBlock>}, {@code <rateLimits>} and
 * {@code <schedule>} elements: who may connect, what feeds the blocked-sites list, and when the policy is open.
 * {@code refusal} is how a blocked source, a rate-limit breach and a connection outside the schedule are turned away
 * (denied or denied-reset); a matching access rule uses its own disposition.
 */
public record AccessPolicy(AccessRules rules, AutoBlock autoBlock, RateLimits rateLimits, OperatingSchedule schedule,
                           Disposition refusal) {
    public static final AccessPolicy OPEN = new AccessPolicy(AccessRules.ALLOW_ALL, AutoBlock.OFF, RateLimits.NONE,
        OperatingSchedule.ALWAYS, Disposition.DENIED);

    /**
     * What feeds the blocked-sites list and for how long. {@code exceptions} are never blocked by this policy and
     * never refused by it for being listed.
     *
     * @param onBlockVerdict a {@code block} verdict of the proxy action blocks the client
     * @param failedLoginsPerSource after this many failed logins from one address within {@code failedLoginWindow}
     *     the address is blocked (0: off)
     * @param failedLoginsPerUser after this many failed logins for one user name within the window, the user is
     *     locked out: its further logins are refused without reaching the upstream (0: off)
     */
    public record AutoBlock(boolean enabled, Duration duration, ImmutableList<AddressRange> exceptions,
                            boolean onBlockVerdict, int failedLoginsPerSource, int failedLoginsPerUser,
                            Duration failedLoginWindow) {
        public static final AutoBlock OFF = new AutoBlock(false, Duration.ofMinutes(20), ImmutableList.of(), false, 0, 0,
            Duration.ofMinutes(10));

        public AutoBlock(boolean enabled, Duration duration, List<AddressRange> exceptions, boolean onBlockVerdict,
                         int failedLoginsPerSource, int failedLoginsPerUser, Duration failedLoginWindow) {
            this(enabled, duration, ImmutableList.copyOf(exceptions), onBlockVerdict, failedLoginsPerSource,
                failedLoginsPerUser, failedLoginWindow);
        }

        public boolean isException(java.net.InetAddress client) {
            AddressRange.Client converted = AddressRange.Client.of(client);
            return exceptions.stream().anyMatch(range -> range.contains(converted));
        }
    }

    /**
     * Connections per source address (0: no limit). Over a limit the connection is refused per the policy's
     * refusal; with {@code autoBlock} the source is also blocked.
     */
    public record RateLimits(int connectionsPerSecond, int connectionsPerMinute, boolean autoBlock) {
        public static final RateLimits NONE = new RateLimits(0, 0, false);

        public boolean isNone() {
            return connectionsPerSecond == 0 && connectionsPerMinute == 0;
        }
    }
}
