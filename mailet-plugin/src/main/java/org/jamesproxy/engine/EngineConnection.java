package org.jamesproxy.engine;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * One TCP exchange with a daemon, bounded in time: the connect by the endpoint's connect timeout, every read by the
 * whole timeout, and the exchange as a whole (writes included, which a socket timeout does not cover: a daemon that
 * stops reading would block a writer forever) by closing the socket when the deadline passes.
 */
public final class EngineConnection implements Closeable {
    private static final int SEND_BUFFER = 64 * 1024;

    /** One daemon thread for every deadline of the JVM: it only closes sockets. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
        new ThreadFactoryBuilder().setDaemon(true).setNameFormat("engine-deadline-%d").build());

    public static EngineConnection open(EngineEndpoint endpoint) throws IOException {
        Socket socket = new Socket();
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            expired.set(true);
            closeQuietly(socket);
        }, endpoint.getTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            socket.setSoTimeout(Math.toIntExact(Math.min(Integer.MAX_VALUE, endpoint.getTimeout().toMillis())));
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()),
                Math.toIntExact(Math.min(Integer.MAX_VALUE, endpoint.getConnectTimeout().toMillis())));
            socket.setTcpNoDelay(true);
            return new EngineConnection(socket, deadline, expired);
        } catch (IOException | RuntimeException e) {
            deadline.cancel(false);
            closeQuietly(socket);
            throw e;
        }
    }

    private final Socket socket;
    private final ScheduledFuture<?> deadline;
    private final AtomicBoolean expired;
    private final OutputStream output;
    private final InputStream input;

    private EngineConnection(Socket socket, ScheduledFuture<?> deadline, AtomicBoolean expired) throws IOException {
        this.socket = socket;
        this.deadline = deadline;
        this.expired = expired;
        this.output = new BufferedOutputStream(socket.getOutputStream(), SEND_BUFFER);
        this.input = new BufferedInputStream(socket.getInputStream(), 8192);
    }

    public OutputStream output() {
        return output;
    }

    public InputStream input() {
        return input;
    }

    /** Tells the daemon nothing more comes (some read until end of stream). */
    public void shutdownOutput() throws IOException {
        output.flush();
        socket.shutdownOutput();
    }

    /** Whether the whole-exchange deadline closed the socket: an I/O error then means "timed out". */
    public boolean expired() {
        return expired.get();
    }

    @Override
    public void close() {
        deadline.cancel(false);
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do: the exchange is over either way
        }
    }
}
