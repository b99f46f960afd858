package org.jamesproxy.relay;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;

import org.apache.james.util.MDCBuilder;
import org.slf4j.Logger;

/**
 * Per-connection logging with James's MDC keys (protocol, ip, sessionId, user) plus the policy, and the policy and
 * client address in the message itself so plain log files stay readable.
 */
public final class SessionLog {
    private final Logger logger;
    private final String protocol;
    private final String policy;
    private final String remoteAddress;
    private final String sessionId;
    private final Supplier<Optional<String>> user;

    public SessionLog(Logger logger, String protocol, String policy, String remoteAddress, String sessionId,
                      Supplier<Optional<String>> user) {
        this.logger = logger;
        this.protocol = protocol;
        this.policy = policy;
        this.remoteAddress = remoteAddress;
        this.sessionId = sessionId;
        this.user = user;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    public String sessionId() {
        return sessionId;
    }

    public Optional<String> user() {
        return user.get();
    }

    public void info(String format, Object... arguments) {
        try (Closeable context = mdc()) {
            logger.info("[{} {}] " + format, prepend(arguments));
        } catch (IOException e) {
            logger.debug("MDC cleanup failed", e);
        }
    }

    public void warn(String format, Object... arguments) {
        try (Closeable context = mdc()) {
            logger.warn("[{} {}] " + format, prepend(arguments));
        } catch (IOException e) {
            logger.debug("MDC cleanup failed", e);
        }
    }

    public void error(String message, Throwable cause) {
        try (Closeable context = mdc()) {
            logger.error("[{} {}] {}", policy, remoteAddress, message, cause);
        } catch (IOException e) {
            logger.debug("MDC cleanup failed", e);
        }
    }

    private Closeable mdc() {
        return MDCBuilder.create()
            .addToContext(MDCBuilder.PROTOCOL, protocol)
            .addToContext(MDCBuilder.IP, remoteAddress)
            .addToContext(MDCBuilder.SESSION_ID, sessionId)
            .addToContext("policy", policy)
            .addToContextIfPresent(MDCBuilder.USER, user.get())
            .build();
    }

    private Object[] prepend(Object[] arguments) {
        Object[] all = new Object[arguments.length + 2];
        all[0] = policy;
        all[1] = remoteAddress;
        System.arraycopy(arguments, 0, all, 2, arguments.length);
        return all;
    }
}
