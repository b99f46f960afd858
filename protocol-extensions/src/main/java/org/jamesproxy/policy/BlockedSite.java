package org.jamesproxy.policy;

import java.time.Instant;

/**
 * One entry of the blocked-sites list: a client address refused at connect until {@code until}.
 *
 * @param address the textual address ({@link java.net.InetAddress#getHostAddress()}, IPv4-mapped IPv6 as IPv4)
 * @param policy the policy whose rule blocked it, or {@code admin} for one added by hand
 */
public record BlockedSite(String address, Instant until, String reason, String policy) {
    public boolean activeAt(Instant now) {
        return now.isBefore(until);
    }
}
