package org.jamesproxy.imap;

/** What becomes of a client command, as its {@link CommandHandler} decided. */
record CommandDecision(Kind kind, String response, CommandHandler.ClientLines followingLines, FetchPlan plan) {
    enum Kind {
        /** Sent upstream and put in flight. */
        FORWARD,
        /** Answered here, never sent; a literal the client sends with it without waiting is dropped too. */
        REJECT,
        /** Answered here, never sent (STARTTLS's refusals: the command takes no literal). */
        REPLY,
        /** Answered with the go-ahead once the commands in flight are done, then TLS on the client leg. */
        START_TLS,
        /**
         * A FETCH answered from inspected views: sent as its {@link FetchPlan} says once the commands in flight are
         * done, and no further command is read until the client had its completion.
         */
        VIEW_FETCH,
        /** An APPEND whose message the proxy takes and inspects before anything goes upstream. */
        INSPECT_APPEND
    }

    private static final CommandDecision FORWARD = new CommandDecision(Kind.FORWARD, null, null, null);
    private static final CommandDecision START_TLS = new CommandDecision(Kind.START_TLS, null, null, null);

    static CommandDecision forward() {
        return FORWARD;
    }

    /** Forwarded, and the client's next lines belong to the command's exchange, not to new commands. */
    static CommandDecision forwardThen(CommandHandler.ClientLines followingLines) {
        return new CommandDecision(Kind.FORWARD, null, followingLines, null);
    }

    static CommandDecision reject(String response) {
        return new CommandDecision(Kind.REJECT, response, null, null);
    }

    static CommandDecision reply(String response) {
        return new CommandDecision(Kind.REPLY, response, null, null);
    }

    static CommandDecision startTls() {
        return START_TLS;
    }

    private static final CommandDecision INSPECT_APPEND = new CommandDecision(Kind.INSPECT_APPEND, null, null, null);

    static CommandDecision inspectAppend() {
        return INSPECT_APPEND;
    }

    static CommandDecision viewFetch(FetchPlan plan) {
        return new CommandDecision(Kind.VIEW_FETCH, null, null, plan);
    }
}
