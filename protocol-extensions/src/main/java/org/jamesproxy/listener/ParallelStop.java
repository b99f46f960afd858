package org.jamesproxy.listener;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs stop tasks all at once and waits for every one. A James listener's unbind waits out Netty's graceful-shutdown
 * quiet period (about 2 s) for its event loops; one after another, 22 listeners held James's stop for 44 s.
 */
public final class ParallelStop {
    private static final Logger LOGGER = LoggerFactory.getLogger(ParallelStop.class);

    private ParallelStop() {
    }

    /** Each task on its own thread; a failing task is logged and does not keep the others from running. */
    public static void run(String what, List<Runnable> tasks) {
        if (tasks.size() == 1) {
            runLogged(what, tasks.get(0));
            return;
        }
        List<Thread> threads = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            Runnable task = tasks.get(i);
            Thread thread = new Thread(() -> runLogged(what, task), "mailproxy-stop-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    // Stopping must finish (ports released); remember the interrupt for the caller.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void runLogged(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOGGER.warn("Error while stopping {}", what, e);
        }
    }
}
