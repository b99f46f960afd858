package org.jamesproxy.inspection;

/**
 * Runs a proxy action over one message. Implementations are thread-safe and blocking: relays call them off
 * the network event loops.
 */
public interface MessageInspector {
    /** An inspector that lets every message through unchanged (a policy without a proxy action). */
    MessageInspector PASS_THROUGH = (context, message) -> InspectionResult.unchanged();

    /**
     * @param message the raw RFC 5322 message, CRLF line endings, exactly as it crossed the wire
     * @return never null. Failures inside the action are turned into a result by the inspector's error rule.
     */
    InspectionResult inspect(InspectionContext context, byte[] message);
}
