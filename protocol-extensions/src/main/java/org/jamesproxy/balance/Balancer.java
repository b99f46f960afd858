package org.jamesproxy.balance;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.jamesproxy.config.UpstreamPool;

/**
 * Picks the member for a new connection among those up: round robin, least connections (relative to weight), or
 * weighted round robin (a member of weight 2 gets two connections for one of weight 1, interleaved).
 */
final class Balancer {
    private final UpstreamPool.Balance balance;
    private final AtomicLong turn = new AtomicLong();

    Balancer(UpstreamPool.Balance balance) {
        this.balance = balance;
    }

    Optional<PoolMember> choose(List<PoolMember> members) {
        List<PoolMember> up = members.stream().filter(PoolMember::isUp).toList();
        if (up.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(switch (balance) {
            case ROUND_ROBIN -> up.get((int) Math.floorMod(turn.getAndIncrement(), (long) up.size()));
            case LEAST_CONNECTIONS -> leastConnections(up);
            case WEIGHTED -> weighted(up);
        });
    }

    private static PoolMember leastConnections(List<PoolMember> up) {
        PoolMember best = up.get(0);
        for (PoolMember member : up) {
            // Compare active/weight without division: a.active * b.weight < b.active * a.weight.
            if ((long) member.activeConnections() * best.weight() < (long) best.activeConnections() * member.weight()) {
                best = member;
            }
        }
        return best;
    }

    /** The turn's slot in the cycle of total weight, members interleaved by slot index. */
    private PoolMember weighted(List<PoolMember> up) {
        int total = up.stream().mapToInt(PoolMember::weight).sum();
        long slot = Math.floorMod(turn.getAndIncrement(), (long) total);
        // Interleave: round r gives one connection to every member whose weight exceeds r.
        int maxWeight = up.stream().mapToInt(PoolMember::weight).max().orElse(1);
        long seen = 0;
        for (int round = 0; round < maxWeight; round++) {
            for (PoolMember member : up) {
                if (member.weight() > round) {
                    if (seen == slot) {
                        return member;
                    }
                    seen++;
                }
            }
        }
        return up.get(0);
    }
}
