package org.jamesproxy.relay;

import java.time.ZonedDateTime;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.jamesproxy.inspection.DenyNotice;
import org.jamesproxy.inspection.InspectionContext;
import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;

import io.netty.util.concurrent.EventExecutor;

/**
 * Runs a proxy action off the network threads and hands the result back on the session's event loop, for every
 * protocol. Mailets block (engines, files); the event loop never does.
 */
public final class InspectionRunner {
    private final MessageInspector inspector;
    private final Executor executor;

    public InspectionRunner(MessageInspector inspector, Executor executor) {
        this.inspector = inspector;
        this.executor = executor;
    }

    /**
     * @param onResult called on {@code eventLoop}, exactly once
     */
    public void inspect(InspectionContext context, byte[] message, EventExecutor eventLoop, SessionLog log,
                        Consumer<InspectionResult> onResult) {
        executor.execute(() -> {
            InspectionResult result;
            try {
                result = inspector.inspect(context, message);
            } catch (RuntimeException | Error e) {
                // Inspectors apply their own error rule; one that throws anyway fails closed rather than hang the session.
                log.error("inspector failed", e);
                result = InspectionResult.denied("inspection failed",
                    DenyNotice.render(message, "inspection failed", ZonedDateTime.now()));
            }
            InspectionResult outcome = result;
            eventLoop.execute(() -> onResult.accept(outcome));
        });
    }
}
