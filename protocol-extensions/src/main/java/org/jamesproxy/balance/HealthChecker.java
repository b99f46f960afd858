package org.jamesproxy.balance;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jamesproxy.config.UpstreamPool;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.relay.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The active health checks of every pool: one thread, each member probed every interval ({@link GreetingProbe}),
 * one log line per member going down or up.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(HealthChecker.class);

    private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("mailproxy-health", true));
    private final List<ScheduledFuture<?>> schedules = new CopyOnWriteArrayList<>();

    /** @param greetingPrefix how the protocol's positive greeting starts: {@code * OK}, {@code +OK}, {@code 220} */
    public void watch(PoolRoute route, String greetingPrefix) {
        UpstreamPool.HealthCheck rules = route.pool().healthCheck();
        EventLoop loop = group.next();
        for (PoolMember member : route.members()) {
            schedules.add(loop.scheduleAtFixedRate(() -> probe(route, member, greetingPrefix, rules, loop),
                0, rules.interval().toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Probes a member now and records the outcome; the returned promise completes with null when healthy. */
    Promise<String> probe(PoolRoute route, PoolMember member, String greetingPrefix, UpstreamPool.HealthCheck rules, EventLoop loop) {
        Promise<String> outcome = loop.newPromise();
        boolean implicitTls = member.connector().getConfig().getTls() == UpstreamTls.IMPLICIT;
        member.connector().connectOwn(loop, new GreetingProbe(greetingPrefix, implicitTls, outcome))
            .addListener((ChannelFutureListener) connected -> {
                if (!connected.isSuccess()) {
                    outcome.trySuccess("cannot connect: " + Failures.describe(connected.cause()));
                } else {
                    ScheduledFuture<?> deadline = loop.schedule(() -> {
                        if (outcome.trySuccess("no greeting within " + rules.timeout())) {
                            connected.channel().close();
                        }
                    }, rules.timeout().toMillis(), TimeUnit.MILLISECONDS);
                    outcome.addListener(done -> deadline.cancel(false));
                }
            });
        outcome.addListener(done -> {
            String failure = outcome.getNow();
            boolean healthy = failure == null;
            if (member.checked(healthy, healthy ? "greeting ok" : failure, rules)) {
                if (healthy) {
                    LOGGER.info("Policy {}: pool member {} is up again", route.policyName(), member.id());
                } else {
                    LOGGER.warn("Policy {}: pool member {} marked down: {}", route.policyName(), member.id(), failure);
                }
            }
        });
        return outcome;
    }

    @Override
    public void close() {
        schedules.forEach(schedule -> schedule.cancel(false));
        schedules.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
