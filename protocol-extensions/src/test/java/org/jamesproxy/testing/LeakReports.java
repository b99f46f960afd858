package org.jamesproxy.testing;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector at its paranoid level (every buffer tracked) and what it reports, recorded from its logger;
 * {@link #close()} restores the previous level.
 */
public final class LeakReports implements AutoCloseable {
    /** Bounds the wait for the reference handler; it normally answers within milliseconds of the GC. */
    private static final long SENTINEL_WAIT_MILLIS = 5_000;

    private final ResourceLeakDetector.Level previousLevel = ResourceLeakDetector.getLevel();
    private final Logger leakLogger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();

    public static LeakReports paranoid() {
        return new LeakReports();
    }

    private LeakReports() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        reports.start();
        leakLogger.addAppender(reports);
    }

    /** The leaks reported so far, after {@link #provoke()}. */
    public List<String> leaks() {
        return reports.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(message -> message.contains("LEAK"))
            .toList();
    }

    /**
     * The detector reports when a later allocation finds a collected, unreleased buffer: collect, then allocate. The
     * collected buffers reach the detector's queue asynchronously (the JVM's reference handler), so each round waits
     * until a sentinel collected by the same GC has been enqueued: without that signal, a leak can go unreported.
     */
    public List<String> provoke() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            ReferenceQueue<Object> enqueued = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), enqueued);
            System.gc();
            enqueued.remove(SENTINEL_WAIT_MILLIS);
            Reference.reachabilityFence(sentinel);
            List<ByteBuf> buffers = List.of(PooledByteBufAllocator.DEFAULT.buffer(64), PooledByteBufAllocator.DEFAULT.directBuffer(64));
            buffers.forEach(ByteBuf::release);
        }
        return leaks();
    }

    @Override
    public void close() {
        leakLogger.detachAppender(reports);
        ResourceLeakDetector.setLevel(previousLevel);
    }
}
