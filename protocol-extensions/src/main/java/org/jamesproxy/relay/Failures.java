package org.jamesproxy.relay;

/** Turns an exception into the one line an operator needs: the root cause's type and message. */
public final class Failures {
    private Failures() {
    }

    public static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
