package org.jamesproxy.tls.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * Key material read from files, reloaded without restart. New connections call {@link #current()}: at most once per
 * check interval, that compares the files' modification time and size with what was loaded; when they changed, the
 * material is loaded again on that thread (one thread at a time). A failed load keeps the old material in service,
 * logs ERROR, and is retried when the files change again. {@link #reload()} forces a load (the admin's trigger).
 *
 * <p>Checking on connection rather than with a watcher thread: no thread to manage, and a file replaced on a
 * network file system (where WatchService does not see changes) is still picked up.</p>
 */
public final class ReloadableMaterial<T> {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReloadableMaterial.class);

    /** The outcome of a reload, for the admin. */
    public static final class Result {
        private final boolean changed;
        private final String message;

        Result(boolean changed, String message) {
            this.changed = changed;
            this.message = message;
        }

        public boolean isChanged() {
            return changed;
        }

        public String getMessage() {
            return message;
        }

        @Override
        public String toString() {
            return message;
        }
    }

    private final String name;
    private final ImmutableList<Path> files;
    private final Callable<T> loader;
    private final Function<T, String> describer;
    private final long checkIntervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextCheck;
    private volatile Consumer<T> onReload = material -> { };
    private volatile T current;
    private volatile List<Object> loadedStamps;

    /**
     * @param name what the material is, for logs ("mailproxy.imapproxy[0].tls")
     * @param files the files it is read from
     * @param loader reads them; throws when they are not usable
     * @param describer one line about loaded material (subject, notAfter)
     */
    public static <T> ReloadableMaterial<T> load(String name, List<Path> files, Callable<T> loader, Function<T, String> describer,
                                                 Duration checkInterval) throws Exception {
        return new ReloadableMaterial<>(name, files, loader, describer, checkInterval, System::nanoTime);
    }

    ReloadableMaterial(String name, List<Path> files, Callable<T> loader, Function<T, String> describer, Duration checkInterval,
                       LongSupplier nanoTime) throws Exception {
        this.name = name;
        this.files = ImmutableList.copyOf(files);
        this.loader = loader;
        this.describer = describer;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.nanoTime = nanoTime;
        this.loadedStamps = stamps();
        this.current = Objects.requireNonNull(loader.call());
        this.nextCheck = new AtomicLong(nanoTime.getAsLong() + checkIntervalNanos);
    }

    /** Runs after each successful reload with the new material (e.g. to hand a new CA to the minting cache). */
    public void onReload(Consumer<T> listener) {
        this.onReload = listener;
    }

    public String getName() {
        return name;
    }

    public List<Path> getFiles() {
        return files;
    }

    /** The material in service, after a rate-limited check of the files. */
    public T current() {
        long now = nanoTime.getAsLong();
        long due = nextCheck.get();
        if (now - due >= 0 && nextCheck.compareAndSet(due, now + checkIntervalNanos)) {
            List<Object> stamps = stamps();
            if (!stamps.equals(loadedStamps)) {
                load(stamps, "files changed");
            }
        }
        return current;
    }

    /** The material in service, without checking the files. */
    public T peek() {
        return current;
    }

    /** Loads the files now, changed or not. */
    public synchronized Result reload() {
        return load(stamps(), "reload requested");
    }

    private synchronized Result load(List<Object> stamps, String why) {
        try {
            T loaded = Objects.requireNonNull(loader.call());
            current = loaded;
            loadedStamps = stamps;
            onReload.accept(loaded);
            String message = name + ": reloaded (" + why + "): " + describer.apply(loaded);
            LOGGER.info("{}", message);
            return new Result(true, message);
        } catch (Exception e) {
            // Do not retry until the files change again (a half-copied file would otherwise be read on every check).
            loadedStamps = stamps;
            String message = name + ": reload failed (" + why + "), keeping " + describer.apply(current) + ": " + e.getMessage();
            LOGGER.error("{}", message, e);
            return new Result(false, message);
        }
    }

    public String describeCurrent() {
        return name + ": " + describer.apply(current) + " from " + files;
    }

    /** Modification time and size of every file; a missing file is a stamp of its own. */
    private List<Object> stamps() {
        ImmutableList.Builder<Object> stamps = ImmutableList.builder();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamps.add(List.of(attributes.lastModifiedTime().toMillis(), attributes.size()));
            } catch (IOException e) {
                stamps.add("missing");
            }
        }
        return stamps.build();
    }
}
