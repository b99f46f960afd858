package org.jamesproxy.relay;

import java.util.List;
import java.util.function.Function;

/**
 * What one protocol says in clear before STARTTLS when the proxy must speak that part itself: a client-action policy
 * that routes by SNI on the STARTTLS port has no upstream until the ClientHello that follows STARTTLS names it. Also
 * the same plain exchange toward an upstream, up to its STARTTLS go-ahead (for a destination whose TLS is spliced
 * untouched). Each protocol implements it once, in its own package; the machinery that runs it knows no protocol.
 */
public interface PlainDialogue {
    /** After an answer: the connection goes on, closes, or switches to TLS. */
    enum Next {
        CONTINUE, CLOSE, START_TLS
    }

    /** The answer lines to one client command, and what follows them. */
    record Answer(List<String> lines, Next next) {
        public static Answer reply(String... lines) {
            return new Answer(List.of(lines), Next.CONTINUE);
        }

        public static Answer close(String... lines) {
            return new Answer(List.of(lines), Next.CLOSE);
        }

        public static Answer startTls(String goAhead) {
            return new Answer(List.of(goAhead), Next.START_TLS);
        }
    }

    /** How one upstream reply line is judged: more lines to come, this step is done, or the upgrade failed. */
    enum Judgement {
        MORE, DONE, FAILED
    }

    /** One exchange with the upstream: what to send first (null: just read, e.g. the greeting), and how replies are judged. */
    record Step(String command, Function<String, Judgement> judge) {
    }

    /** The proxy's greeting, sent as soon as the client connects. */
    String greeting();

    /** The answer to one client command line (trimmed). */
    Answer answer(String line);

    /** The protocol's last words before the proxy closes, e.g. {@code * BYE ...}, {@code -ERR ...}, {@code 421 ...}. */
    String farewell(String reason);

    /** The plain exchange toward an upstream, in order, up to its STARTTLS go-ahead. */
    List<Step> upstreamUpgrade();
}
