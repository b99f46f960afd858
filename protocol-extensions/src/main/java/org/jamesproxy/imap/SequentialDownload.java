package org.jamesproxy.imap;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a session's view fetch knows about the client walking through a mailbox message after message (Thunderbird's
 * and imapflow's chunked downloads do): the client's sequence numbers of the messages it was recently served or the
 * proxy read ahead, and which messages to read ahead next. The sequence numbers are valid until an EXPUNGE, VANISHED
 * or another mailbox could have renumbered the messages ({@link #forget}); with them, a {@code UID FETCH} of one of
 * those messages is answered from its cached view without asking the upstream.
 */
final class SequentialDownload {
    /** A UID range to read ahead, both ends included. */
    record Range(long from, long to) {
        boolean contains(long uid) {
            return uid >= from && uid <= to;
        }

        @Override
        public String toString() {
            return from + ":" + to;
        }
    }

    /** How many sequence numbers are remembered: more than one read-ahead's worth and the message being served. */
    private static final int REMEMBERED = 64;

    private final int readAhead;
    private final Map<Long, Long> sequenceNumbers = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    private long lastServedUid = -1;
    private long lastServedSequenceNumber = -1;
    /** The last served message followed the one served before it in the mailbox's order. */
    private boolean sequential;
    /** The highest UID a read-ahead asked for; 0 before any. */
    private long horizon;

    /** @param readAhead how many messages one read-ahead asks for; 0: none */
    SequentialDownload(int readAhead) {
        this.readAhead = readAhead;
    }

    /** The client was served (content or not) the message {@code uid}, as sequence number {@code sequenceNumber}. */
    void served(long uid, long sequenceNumber) {
        learned(uid, sequenceNumber);
        if (uid == lastServedUid) {
            return;
        }
        sequential = lastServedSequenceNumber >= 0 && sequenceNumber == lastServedSequenceNumber + 1 && uid > lastServedUid;
        lastServedUid = uid;
        lastServedSequenceNumber = sequenceNumber;
    }

    /** The upstream numbered the message {@code uid} {@code sequenceNumber} in a response the client sees in order. */
    void learned(long uid, long sequenceNumber) {
        sequenceNumbers.put(uid, sequenceNumber);
    }

    OptionalLong sequenceNumberOf(long uid) {
        Long known = sequenceNumbers.get(uid);
        return known == null ? OptionalLong.empty() : OptionalLong.of(known);
    }

    /** Messages may have been renumbered (or another mailbox selected): no sequence number is known any more. */
    void forget() {
        sequenceNumbers.clear();
        lastServedUid = -1;
        lastServedSequenceNumber = -1;
        sequential = false;
    }

    /** The mailbox's UIDs start over (another mailbox, or UIDVALIDITY changed). */
    void restart() {
        forget();
        horizon = 0;
    }

    /**
     * The messages to read ahead after the client was served {@code uid}: the ones after what earlier read-aheads
     * asked for, once no more than half a read-ahead of those is left; nothing while the client does not walk in
     * order. A horizon the client passed, or far from {@code uid} (it jumped back, or another mailbox), starts over
     * after {@code uid}.
     */
    Optional<Range> next(long uid) {
        if (readAhead <= 0 || !sequential || uid != lastServedUid) {
            return Optional.empty();
        }
        long ahead = horizon - uid;
        if (ahead > 0 && ahead <= 2L * readAhead) {
            // (After a read-ahead asked for more, up to one and a half read-aheads are left.)
            return ahead > readAhead / 2 ? Optional.empty() : Optional.of(advance(horizon + 1));
        }
        return Optional.of(advance(uid + 1));
    }

    private Range advance(long from) {
        Range range = new Range(from, from + readAhead - 1);
        horizon = range.to();
        return range;
    }
}
