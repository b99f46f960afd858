package org.jamesproxy.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Bytes of messages held between an upstream and their inspected copy, shared by a policy's sessions. A session
 * asks for a message's size before it takes the message's bytes from its socket; when they do not fit it waits, in
 * turn, and its upstream's bytes stay in the socket (TCP pushes back), so memory follows the budget, not the number
 * of clients. One message is always admitted when nothing else is held, whatever its size, so a message larger than
 * the budget (but within the inspection limit) still goes through, alone.
 */
public final class InFlightBudget {
    private record Waiter(long bytes, Executor executor, Runnable granted) {
    }

    private final long capacity;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long used;

    public InFlightBudget(long capacity) {
        this.capacity = capacity;
    }

    /**
     * @return true when {@code bytes} are reserved now; false: {@code granted} runs on {@code executor} once they are
     */
    public boolean reserveOrWait(long bytes, Executor executor, Runnable granted) {
        synchronized (this) {
            if (waiters.isEmpty() && fits(bytes)) {
                used += bytes;
                return true;
            }
            waiters.add(new Waiter(bytes, executor, granted));
            return false;
        }
    }

    /**
     * @return true when {@code bytes} are reserved now; false when they do not fit beside what is held, or others wait
     * (nothing is reserved then: for work that can as well be left undone, such as reading ahead)
     */
    public boolean tryReserve(long bytes) {
        synchronized (this) {
            if (waiters.isEmpty() && used + bytes <= capacity) {
                used += bytes;
                return true;
            }
            return false;
        }
    }

    /** Returns bytes reserved earlier (or granted to a waiter that no longer wants them); waiters in turn get theirs. */
    public void release(long bytes) {
        List<Waiter> granted = new ArrayList<>();
        synchronized (this) {
            used = Math.max(0, used - bytes);
            while (!waiters.isEmpty() && fits(waiters.peekFirst().bytes())) {
                Waiter next = waiters.pollFirst();
                used += next.bytes();
                granted.add(next);
            }
        }
        granted.forEach(waiter -> waiter.executor().execute(waiter.granted()));
    }

    public synchronized long used() {
        return used;
    }

    public synchronized int waiting() {
        return waiters.size();
    }

    private boolean fits(long bytes) {
        return used == 0 || used + bytes <= capacity;
    }
}
