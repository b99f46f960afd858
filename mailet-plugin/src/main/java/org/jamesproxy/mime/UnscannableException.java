package org.jamesproxy.mime;

import org.jamesproxy.mailet.action.PartPath;

/**
 * The message cannot be inspected with confidence: a bound was exceeded, the MIME structure is ambiguous (two readers
 * could see different content), or content could not be decoded. Rules turn it into a finding of category
 * {@code UNSCANNABLE} with their {@code onUnscannable} action: the message is never passed as if it had been
 * inspected.
 */
public class UnscannableException extends Exception {
    private final PartPath part;

    public UnscannableException(PartPath part, String reason) {
        super(reason);
        this.part = part;
    }

    public UnscannableException(PartPath part, String reason, Throwable cause) {
        super(reason, cause);
        this.part = part;
    }

    /** The part where the problem was found ({@link PartPath#ROOT} for the message itself). */
    public PartPath getPart() {
        return part;
    }

    /** One line for the finding's reason. */
    public String describe() {
        return "unscannable message (" + getMessage() + (part.isRoot() ? "" : " in part " + part) + ")";
    }
}
