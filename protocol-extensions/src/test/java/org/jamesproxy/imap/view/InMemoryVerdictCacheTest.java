package org.jamesproxy.imap.view;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryVerdictCacheTest {
    @TempDir
    Path spillDir;

    private static ViewKey key(long uid) {
        return new ViewKey("imaps://upstream:993", "alice", "INBOX", 7, uid, "fp1");
    }

    private static InspectedView view(int size) {
        String header = "Subject: s\r\n\r\n";
        return InspectedView.of(MessageBytes.inMemory((header + "x".repeat(Math.max(0, size - header.length()))).getBytes(ISO_8859_1)));
    }

    private List<Path> spillFiles() throws Exception {
        try (Stream<Path> files = Files.walk(spillDir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void boundedByCountLeastRecentlyUsedFirst() {
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(2, 1_000_000, 1_000_000, spillDir)) {
            cache.put(key(1), view(100));
            cache.put(key(2), view(100));
            assertThat(cache.get(key(1))).isPresent(); // 2 is now the eldest
            cache.put(key(3), view(100));
            assertThat(cache.get(key(2))).isEmpty();
            assertThat(cache.get(key(1))).isPresent();
            assertThat(cache.get(key(3))).isPresent();
            assertThat(cache.entries()).isEqualTo(2);
        }
    }

    @Test
    void boundedByBytesAndATooLargeViewIsNotKept() {
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(100, 1000, 1_000_000, spillDir)) {
            cache.put(key(1), view(400));
            cache.put(key(2), view(400));
            cache.put(key(3), view(400));
            assertThat(cache.bytes()).isLessThanOrEqualTo(1000);
            assertThat(cache.get(key(1))).isEmpty();
            assertThat(cache.get(key(3))).isPresent();
            cache.put(key(4), view(1001));
            assertThat(cache.get(key(4))).isEmpty();
            assertThat(cache.bytes()).isEqualTo(800);
        }
    }

    @Test
    void viewsAboveTheThresholdAreSpilledAndTheirFilesDeletedOnEvictionAndClose() throws Exception {
        InMemoryVerdictCache cache = new InMemoryVerdictCache(2, 1_000_000, 500, spillDir);
        InspectedView big = view(5000);
        cache.put(key(1), big);
        cache.put(key(2), view(100));
        InspectedView cached = cache.get(key(1)).orElseThrow();
        assertThat(cached.bytes().isSpilled()).isTrue();
        assertThat(cache.get(key(2)).orElseThrow().bytes().isSpilled()).isFalse();
        assertThat(spillFiles()).hasSize(1);
        assertThat(ViewAnswers.answer(cached, "BODY.PEEK[]")).isEqualTo(ViewAnswers.answer(big, "BODY.PEEK[]"));

        cache.put(key(3), view(100)); // evicts 2 (1 was used last)
        cache.put(key(4), view(6000)); // evicts 1: its spill file goes
        assertThat(cache.get(key(1))).isEmpty();
        assertThat(spillFiles()).hasSize(1);
        assertThat(ViewAnswers.answer(cached, "BODY.PEEK[TEXT]<0.3>")).as("a view handed out stays readable").endsWith("xxx");

        cache.close();
        assertThat(spillFiles()).isEmpty();
        try (Stream<Path> left = Files.list(spillDir)) {
            assertThat(left).as("the cache's own directory is removed").isEmpty();
        }
        cache.put(key(5), view(100));
        assertThat(cache.get(key(5))).as("a closed cache keeps nothing").isEmpty();
    }

    @Test
    void aNewUidValidityInvalidatesOnlyThatMailboxsOlderEntries() {
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(100, 1_000_000, 1_000_000, spillDir)) {
            ViewKey old = new ViewKey("u", "alice", "INBOX", 7, 1, "fp");
            ViewKey current = new ViewKey("u", "alice", "INBOX", 8, 1, "fp");
            ViewKey otherMailbox = new ViewKey("u", "alice", "Sent", 7, 1, "fp");
            ViewKey otherUser = new ViewKey("u", "bob", "INBOX", 7, 1, "fp");
            for (ViewKey key : List.of(old, current, otherMailbox, otherUser)) {
                cache.put(key, view(50));
            }
            cache.invalidate(ViewKeys.scope("u", "alice", "INBOX"), 8);
            assertThat(cache.get(old)).isEmpty();
            assertThat(cache.get(current)).isPresent();
            assertThat(cache.get(otherMailbox)).isPresent();
            assertThat(cache.get(otherUser)).isPresent();

            cache.dropUser("u", "alice");
            assertThat(cache.get(current)).isEmpty();
            assertThat(cache.get(otherMailbox)).isEmpty();
            assertThat(cache.get(otherUser)).isPresent();
        }
    }

    @Test
    void theActionFingerprintIsPartOfTheKey() {
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(100, 1_000_000, 1_000_000, spillDir)) {
            cache.put(new ViewKey("u", "alice", "INBOX", 7, 1, "before-reload"), view(50));
            assertThat(cache.get(new ViewKey("u", "alice", "INBOX", 7, 1, "after-reload"))).isEmpty();
            assertThat(cache.get(new ViewKey("u", "alice", "INBOX", 7, 1, "before-reload"))).isPresent();
        }
    }

    @Test
    void entriesOlderThanMaxAgeAreDropped() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T22:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(100, 1_000_000, 1_000_000, spillDir, Duration.ofMinutes(10), clock)) {
            cache.put(key(1), view(50));
            now.set(now.get().plusSeconds(599));
            assertThat(cache.get(key(1))).isPresent();
            now.set(now.get().plusSeconds(2));
            assertThat(cache.get(key(1))).isEmpty();
            assertThat(cache.entries()).isZero();
        }
    }

    /** Spill files written only when the test says so. */
    private static final class HeldSpills implements Executor {
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

        @Override
        public void execute(Runnable write) {
            waiting.add(write);
        }

        void runAll() {
            while (!waiting.isEmpty()) {
                waiting.poll().run();
            }
        }
    }

    @Test
    void aLargeViewIsServedFromMemoryUntilItsSpillFileIsWritten() throws Exception {
        HeldSpills spiller = new HeldSpills();
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(10, 1_000_000, 500, 0, spillDir, spiller)) {
            InspectedView big = view(5000);
            CompletableFuture<Void> stored = cache.put(key(1), big).toCompletableFuture();
            assertThat(stored).isNotDone();
            assertThat(cache.get(key(1)).orElseThrow()).isSameAs(big);
            assertThat(cache.put(key(2), view(100)).toCompletableFuture()).as("kept in memory: stored at once").isDone();
            assertThat(cache.bytes()).isEqualTo(5100);

            spiller.runAll();
            assertThat(stored).isDone();
            InspectedView cached = cache.get(key(1)).orElseThrow();
            assertThat(cached.bytes().isSpilled()).isTrue();
            assertThat(spillFiles()).hasSize(1);
            assertThat(ViewAnswers.answer(cached, "BODY.PEEK[]")).isEqualTo(ViewAnswers.answer(big, "BODY.PEEK[]"));
            assertThat(cache.bytes()).isEqualTo(5100);
        }
    }

    @Test
    void largeViewsStayInMemoryWithinTheirBudgetAndTheLeastRecentlyUsedGoToFiles() throws Exception {
        HeldSpills spiller = new HeldSpills();
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(3, 1_000_000, 500, 12_000, spillDir, spiller)) {
            assertThat(cache.put(key(1), view(5000)).toCompletableFuture()).isDone();
            assertThat(cache.put(key(2), view(5000)).toCompletableFuture()).isDone();
            cache.get(key(1)); // 2 is now the least recently used
            CompletableFuture<Void> third = cache.put(key(3), view(5000)).toCompletableFuture();
            assertThat(third).as("its put made a file necessary").isNotDone();
            spiller.runAll();
            assertThat(third).isDone();
            assertThat(cache.get(key(2)).orElseThrow().bytes().isSpilled()).isTrue();
            assertThat(cache.get(key(1)).orElseThrow().bytes().isSpilled()).isFalse();
            assertThat(cache.get(key(3)).orElseThrow().bytes().isSpilled()).isFalse();
            assertThat(spillFiles()).hasSize(1);
            assertThat(cache.bytes()).isEqualTo(15_000);

            cache.get(key(1));
            cache.get(key(3));
            cache.put(key(4), view(100));
            assertThat(cache.get(key(2))).as("spilled in place, it kept its place: the eldest, evicted").isEmpty();
            assertThat(spillFiles()).isEmpty();
        }
    }

    @Test
    void aViewDroppedBeforeItsSpillRunsLeavesNoFile() throws Exception {
        HeldSpills spiller = new HeldSpills();
        InMemoryVerdictCache cache = new InMemoryVerdictCache(10, 1_000_000, 500, 0, spillDir, spiller);
        CompletableFuture<Void> invalidated = cache.put(key(1), view(5000)).toCompletableFuture();
        CompletableFuture<Void> replaced = cache.put(key(2), view(5000)).toCompletableFuture();
        cache.put(key(3), view(100));
        cache.put(key(2), view(6000));
        cache.invalidate(ViewKeys.scope("imaps://upstream:993", "alice", "INBOX"), 8);
        cache.put(key(2), view(7000));
        assertThat(cache.entries()).isEqualTo(1);
        spiller.runAll();
        assertThat(invalidated).isDone();
        assertThat(replaced).isDone();
        assertThat(spillFiles()).as("only the view still cached is spilled").hasSize(1);
        assertThat(cache.get(key(2)).orElseThrow().size()).isEqualTo(7000);
        assertThat(cache.get(key(2)).orElseThrow().bytes().isSpilled()).isTrue();

        CompletableFuture<Void> closed = cache.put(key(5), view(5000)).toCompletableFuture();
        cache.close();
        spiller.runAll();
        assertThat(closed).isDone();
        assertThat(spillFiles()).isEmpty();
    }

    @Test
    void aSpillThatFailsTakesTheViewOutOfTheCache() throws Exception {
        HeldSpills spiller = new HeldSpills();
        Path notADirectory = Files.writeString(spillDir.resolve("file"), "x");
        try (InMemoryVerdictCache cache = new InMemoryVerdictCache(10, 1_000_000, 500, 0, notADirectory, spiller)) {
            CompletableFuture<Void> stored = cache.put(key(1), view(5000)).toCompletableFuture();
            assertThat(cache.get(key(1))).isPresent();
            spiller.runAll();
            assertThat(stored).isDone();
            assertThat(cache.get(key(1))).isEmpty();
            assertThat(cache.bytes()).isZero();
        }
    }

    @Test
    void concurrentSessionsKeepTheBoundsAndLeaveNoSpillFileBehind() throws Exception {
        concurrentSessions(new InMemoryVerdictCache(20, 200_000, 2_000, spillDir), () -> { });
    }

    @Test
    void concurrentSessionsWithSpillsInTheBackground() throws Exception {
        ExecutorService spiller = Executors.newFixedThreadPool(2);
        try {
            concurrentSessions(new InMemoryVerdictCache(20, 200_000, 2_000, 20_000, spillDir, spiller), () -> {
                spiller.shutdown();
                assertThat(spiller.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            });
        } finally {
            spiller.shutdownNow();
        }
    }

    private interface Quiesce {
        void await() throws Exception;
    }

    private void concurrentSessions(InMemoryVerdictCache cache, Quiesce spillsDone) throws Exception {
        List<InspectedView> views = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            views.add(view(500 + 200 * i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            work.add(pool.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 2000; i++) {
                    int uid = random.nextInt(views.size());
                    Optional<InspectedView> hit = cache.get(key(uid));
                    if (hit.isPresent()) {
                        assertThat(hit.get().size()).isEqualTo(views.get(uid).size());
                        assertThat(ViewAnswers.literal(hit.get(), "BODY.PEEK[HEADER]")).isEqualTo("Subject: s\r\n\r\n");
                    } else {
                        cache.put(key(uid), views.get(uid));
                    }
                    if (i % 500 == 0) {
                        cache.invalidate(ViewKeys.scope("imaps://upstream:993", "alice", "INBOX"), 7);
                    }
                    assertThat(cache.entries()).isLessThanOrEqualTo(20);
                    assertThat(cache.bytes()).isLessThanOrEqualTo(200_000);
                }
                return null;
            }));
        }
        for (Future<?> future : work) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        spillsDone.await();
        long spilledEntries = 0;
        for (int uid = 0; uid < views.size(); uid++) {
            Optional<InspectedView> hit = cache.get(key(uid));
            if (hit.isPresent() && hit.get().bytes().isSpilled()) {
                spilledEntries++;
            }
        }
        assertThat(spillFiles()).hasSize((int) spilledEntries);
        cache.close();
        assertThat(spillFiles()).isEmpty();
    }
}
