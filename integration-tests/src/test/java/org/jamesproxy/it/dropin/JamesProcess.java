package org.jamesproxy.it.dropin;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jamesproxy.demo.JamesHome;

/**
 * A stock James memory server ({@code org.apache.james.MemoryJamesServerMain}) running in a <b>separate JVM</b> on a
 * {@link JamesHome}, the way an operator runs it: working directory = the home, {@code -Dworking.directory}, James's
 * own {@code main} (which also installs the shutdown hook that stops James on SIGTERM).
 *
 * <p>The child's stdout and stderr go to {@code <home>/logs/child-output.log}; {@link #diagnostics()} returns it and the
 * tail of {@code logs/james.log} for failure messages.</p>
 */
final class JamesProcess implements AutoCloseable {
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);
    static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

    static JamesProcess start(JamesHome home, String classpath) throws IOException {
        Path output = home.root().resolve(JamesHome.LOGS).resolve("child-output.log");
        Files.createDirectories(output.getParent());
        Path argFile = home.root().resolve("java-args.txt");
        // An @argfile keeps the ~30 KB class path off the command line.
        Files.writeString(argFile, "-cp \"" + classpath.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        for (Map.Entry<String, String> property : home.jvmSystemProperties().entrySet()) {
            command.add("-D" + property.getKey() + "=" + property.getValue());
        }
        command.add("@" + argFile);
        command.add(JamesHome.MAIN_CLASS);

        Process process = new ProcessBuilder(command)
            .directory(home.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        return new JamesProcess(home, process, output);
    }

    private final JamesHome home;
    private final Process process;
    private final Path output;

    private JamesProcess(JamesHome home, Process process, Path output) {
        this.home = home;
        this.process = process;
        this.output = output;
    }

    Process process() {
        return process;
    }

    /** Waits until every port accepts TCP connections on 127.0.0.1; fails with the child's logs otherwise. */
    void awaitListening(int... ports) {
        try {
            Awaitility.await("James and the proxy listening on " + Arrays.toString(ports))
                .atMost(BOOT_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> !process.isAlive() || allAccept(ports));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Timed out after " + BOOT_TIMEOUT + " waiting for ports "
                + Arrays.toString(ports) + "\n" + diagnostics(), e);
        }
        if (!process.isAlive()) {
            throw new AssertionError("James exited with code " + process.exitValue() + " before listening\n" + diagnostics());
        }
    }

    /** Waits for the child to exit by itself (e.g. a failed boot); returns its exit code. */
    int awaitExit() {
        try {
            if (!process.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("James did not exit within " + BOOT_TIMEOUT + "\n" + diagnostics());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGTERM (so James's shutdown hook runs), then waits for the exit; returns the exit code. */
    int terminate() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("James did not stop within " + STOP_TIMEOUT + " of SIGTERM\n" + diagnostics());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    String output() {
        return read(output);
    }

    String jamesLog() {
        return read(home.logFile());
    }

    String diagnostics() {
        return "----- child stdout+stderr (" + output + ") -----\n" + tail(output(), 400)
            + "\n----- " + home.logFile() + " (tail) -----\n" + tail(jamesLog(), 200);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean allAccept(int... ports) {
        for (int port : ports) {
            if (!accepts(port)) {
                return false;
            }
        }
        return true;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(no " + file + ")";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n", -1);
        if (all.length <= lines) {
            return text;
        }
        return "(" + (all.length - lines) + " lines skipped)\n"
            + String.join("\n", Arrays.copyOfRange(all, all.length - lines, all.length));
    }

    static String classpathEntries(String classpath) {
        return String.join("\n", classpath.split(File.pathSeparator));
    }
}
