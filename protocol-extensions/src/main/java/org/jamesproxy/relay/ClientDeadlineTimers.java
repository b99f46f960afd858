package org.jamesproxy.relay;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jamesproxy.config.ClientDeadlines;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ByteProcessor;

/**
 * The deadlines of one client leg that a trickle of bytes does not restart (the idle timer does): a line the client
 * started must end within {@code commandLine}, and the client must be logged in within {@code login} of connecting.
 * Timers run on the client's event loop, like the session; the session says what a missed deadline does.
 */
final class ClientDeadlineTimers {
    /** What the session does when a deadline passes. */
    interface Missed {
        void commandLine();

        void login();
    }

    private final Channel client;
    private final ClientDeadlines deadlines;
    private final BooleanSupplier clientBeingRead;
    private final Missed missed;
    private ScheduledFuture<?> lineTimer;
    private ScheduledFuture<?> loginTimer;
    private boolean stopped;

    /**
     * @param clientBeingRead true while the relay reads the client: a line it has not read further (backpressure)
     *                        is not the client's delay
     */
    ClientDeadlineTimers(Channel client, ClientDeadlines deadlines, BooleanSupplier clientBeingRead, Missed missed) {
        this.client = client;
        this.deadlines = deadlines;
        this.clientBeingRead = clientBeingRead;
        this.missed = missed;
    }

    /** The connection was accepted: the login deadline starts. */
    void connected() {
        loginTimer = schedule(this::loginMissed, deadlines.getLogin().toMillis());
    }

    /** The client logged in (or, SMTP, started a mail transaction): no login deadline any more. */
    void loggedIn() {
        cancel(loginTimer);
        loginTimer = null;
    }

    /** Bytes read from the client (clear, or decrypted): a line ends, or one starts and its deadline with it. */
    void onClientBytes(ByteBuf bytes) {
        if (stopped || !bytes.isReadable()) {
            return;
        }
        int lastLf = bytes.forEachByteDesc(ByteProcessor.FIND_LF);
        if (lastLf == bytes.writerIndex() - 1) {
            cancel(lineTimer);
            lineTimer = null;
        } else if (lastLf >= 0 || lineTimer == null) {
            // A new line started after the last LF (or the first bytes of one): its own deadline, from now.
            cancel(lineTimer);
            lineTimer = schedule(this::lineMissed, deadlines.getCommandLine().toMillis());
        }
    }

    /** The session ended, or no longer speaks the protocol (spliced): nothing fires any more. */
    void stop() {
        stopped = true;
        cancel(lineTimer);
        cancel(loginTimer);
    }

    private void lineMissed() {
        if (stopped) {
            return;
        }
        if (!clientBeingRead.getAsBoolean()) {
            // The relay holds the client back (backpressure, STARTTLS, a literal waiting for "+"): the rest of the
            // line may well be waiting in the socket. A full period more once it reads again.
            lineTimer = schedule(this::lineMissed, deadlines.getCommandLine().toMillis());
            return;
        }
        lineTimer = null;
        missed.commandLine();
    }

    private void loginMissed() {
        if (!stopped) {
            loginTimer = null;
            missed.login();
        }
    }

    private ScheduledFuture<?> schedule(Runnable task, long millis) {
        return client.eventLoop().schedule(task, millis, TimeUnit.MILLISECONDS);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
