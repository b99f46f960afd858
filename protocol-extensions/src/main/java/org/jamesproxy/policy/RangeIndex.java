package org.jamesproxy.policy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * First-match lookup over many address ranges in O(log n): built once from rules in priority order, each address
 * range "painted" only where no earlier rule already covers it, so every stored segment carries the first rule that
 * matches it. IPv4 and IPv6 have separate indexes (they never match each other).
 */
final class RangeIndex {
    private record Segment(BigInteger end, int rule) {
    }

    private static final BigInteger IPV4_LAST = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger IPV6_LAST = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private final TreeMap<BigInteger, Segment> ipv4 = new TreeMap<>();
    private final TreeMap<BigInteger, Segment> ipv6 = new TreeMap<>();

    static RangeIndex of(List<AccessRule> rules) {
        RangeIndex index = new RangeIndex();
        for (int rule = 0; rule < rules.size(); rule++) {
            for (AddressRange range : rules.get(rule).from()) {
                if (range.isAny()) {
                    index.paint(index.ipv4, BigInteger.ZERO, IPV4_LAST, rule);
                    index.paint(index.ipv6, BigInteger.ZERO, IPV6_LAST, rule);
                } else {
                    index.paint(range.length() == 4 ? index.ipv4 : index.ipv6, range.low(), range.high(), rule);
                }
            }
        }
        return index;
    }

    /** The index of the first rule that matches, or -1. */
    int firstMatch(AddressRange.Client client) {
        TreeMap<BigInteger, Segment> segments = client.length() == 4 ? ipv4 : ipv6;
        Map.Entry<BigInteger, Segment> floor = segments.floorEntry(client.value());
        if (floor == null || floor.getValue().end().compareTo(client.value()) < 0) {
            return -1;
        }
        return floor.getValue().rule();
    }

    /** Covers the parts of [low, high] no segment covers yet with {@code rule}. */
    private void paint(TreeMap<BigInteger, Segment> segments, BigInteger low, BigInteger high, int rule) {
        BigInteger cursor = low;
        Map.Entry<BigInteger, Segment> before = segments.floorEntry(low);
        if (before != null && before.getValue().end().compareTo(low) >= 0) {
            cursor = before.getValue().end().add(BigInteger.ONE);
        }
        while (cursor.compareTo(high) <= 0) {
            Map.Entry<BigInteger, Segment> next = segments.ceilingEntry(cursor);
            if (next == null || next.getKey().compareTo(high) > 0) {
                segments.put(cursor, new Segment(high, rule));
                return;
            }
            if (next.getKey().compareTo(cursor) > 0) {
                segments.put(cursor, new Segment(next.getKey().subtract(BigInteger.ONE), rule));
            }
            cursor = next.getValue().end().add(BigInteger.ONE);
        }
    }
}
