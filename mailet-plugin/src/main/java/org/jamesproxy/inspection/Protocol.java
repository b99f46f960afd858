package org.jamesproxy.inspection;

/** The wire protocol a message crossed the proxy on, and which way it was going. */
public enum Protocol {
    IMAP(Direction.RETRIEVAL), POP3(Direction.RETRIEVAL), SMTP(Direction.SUBMISSION);

    /**
     * What a rule may do depends on this, not on the protocol's name: a retrieved message is already in the
     * mailbox (refusing it hides mail, it does not stop it), a submitted one can still be refused.
     */
    public enum Direction {
        /** The client downloads a stored message (IMAP FETCH, POP3 RETR/TOP). */
        RETRIEVAL,
        /** The client hands a message over for delivery (SMTP DATA, and LMTP). */
        SUBMISSION
    }

    private final Direction direction;

    Protocol(Direction direction) {
        this.direction = direction;
    }

    public Direction direction() {
        return direction;
    }

    public boolean isRetrieval() {
        return direction == Direction.RETRIEVAL;
    }
}
