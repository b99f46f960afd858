package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.metrics.api.Metric;
import org.jamesproxy.imap.view.InspectedView;
import org.jamesproxy.imap.view.MessageBytes;
import org.jamesproxy.imap.view.VerdictCache;
import org.jamesproxy.imap.view.ViewItem;
import org.jamesproxy.imap.view.ViewKey;
import org.jamesproxy.imap.view.ViewResponse;
import org.jamesproxy.relay.InFlightBudget;
import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageCollector;
import org.jamesproxy.relay.MessageInterception;
import org.jamesproxy.relay.SessionLog;
import org.jamesproxy.relay.VerdictRenderer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A client FETCH answered from inspected views ("strip and refill"). The upstream got the client's command without
 * the content items ({@link FetchPlan#upstreamLine}); its responses are held here, in order, until its tagged
 * completion. Then they go to the client one by one: a FETCH response of a message gets the client's content items
 * written from the message's {@link InspectedView} — from the {@link VerdictCache}, or else fetched whole with a
 * proxy-private {@code UID FETCH uid BODY.PEEK[]} on the same upstream connection and run through the proxy action
 * once. What the upstream says meanwhile (EXISTS, EXPUNGE, FLAGS) queues behind, so the client sees everything in
 * the order the upstream sent it, and sequence numbers stay right. Then the client's tagged completion; NO
 * [UNAVAILABLE] instead when a message could not be inspected (fail closed: its content items are left out).
 * <p>
 * Bounds: the held responses by {@code maxHeldBytes}; a private message literal by the inspection limit (above it,
 * {@code oversize}: pass spills the uninspected message to a file, replace keeps only its start for the notice).
 * One view at a time is referenced here; the cache holds the rest within its own bounds.
 */
final class ViewFetch {
    /** What the view fetch needs of its session. Called on the session's event loop only. */
    interface Session {
        void toUpstream(ByteBuf bytes);

        void flushUpstream();

        /** To the client, as it is. */
        void write(ByteBuf bytes);

        /**
         * To the client chunk by chunk, each chunk read once the client leg is writable again; a response that cannot
         * be read to its end closes the session (the client has its literal's announced length).
         */
        void write(ViewResponse response);

        void flushClient();

        /** False while the client leg's outbound buffer is above its high water mark: serving waits. */
        boolean clientWritable();

        /** A held untagged response (complete, literals included), through the relay's rewriting. */
        void relayUntagged(byte[] response);

        /** A tagged completion, through the relay: the command it ends completes. */
        void relayTagged(byte[] line);

        /** The view fetch is over: the client's next commands are read. */
        void finished();

        /**
         * True when the client has no command in progress and sent nothing the proxy has not read yet: a read-ahead
         * keeps nothing of the client's waiting.
         */
        boolean betweenCommands();

        /**
         * The read-ahead is over: a command the client sent meanwhile goes on, {@code waiting} (null if none) among
         * them, the FETCH that waited for a message of the read-ahead and still needs the upstream.
         */
        void readAheadOver(FetchPlan waiting);

        /** A verdict came back from the inspection pool: the upstream's buffered responses are taken again. */
        void resumeUpstream();

        void closeWithFarewell(String reason);

        SessionLog log();

        ByteBufAllocator alloc();
    }

    /** The counters of the view path. */
    record Counters(Metric upstreamFetches, Metric cacheHits) {
    }

    private enum Stage {
        IDLE,
        /** Holding the responses to the client's command until its tagged completion. */
        COMMAND,
        /** Serving the held responses; waiting for nothing. */
        DRAINING,
        /**
         * A private fetch is in flight, or the messages it brought are with the proxy action: held responses whose
         * views are ready are served meanwhile.
         */
        PRIVATE,
        /** The private {@code UID STORE uid +FLAGS (\Seen)} of a served message is in flight. */
        SEEN
    }

    private static final Pattern BODY_LITERAL = Pattern.compile("\\bBODY\\[] ~?\\{\\d+\\+?}\\r?\\n$", Pattern.CASE_INSENSITIVE);
    private static final String PRIVATE_TAG_PREFIX = "jmproxy";
    /**
     * How many messages one private fetch asks for: the held responses' next messages without a view go with the one
     * the client waits for, so the upstream sends them back to back and each is inspected while the next arrives.
     * Only one message is received or inspected at a time; the views of the others wait in the cache.
     */
    static final int PRIVATE_FETCH_BATCH = 8;
    private static final CompletionStage<Void> STORED = CompletableFuture.completedFuture(null);
    /**
     * How many privately fetched messages of a session may be with the action (or have their view built) at once:
     * the next one is received while the one before is inspected, on another inspection thread.
     */
    private static final int PARALLEL_PREPARATIONS = 2;
    /** A view up to this size answers in one buffer; a larger one chunk by chunk, as the client leg drains. */
    private static final long WRITTEN_WHOLE_UP_TO = 256 * 1024;
    private static final int RESPONSE_CHUNK = 64 * 1024;
    private static final Pattern RESPONSE_UID = Pattern.compile("[( ]UID (\\d+)[ )]", Pattern.CASE_INSENSITIVE);
    private static final Pattern RESPONSE_SEQUENCE_NUMBER = Pattern.compile("^\\* (\\d+) ");
    private static final Pattern RENUMBERING = Pattern.compile("^\\* (\\d+ EXPUNGE|VANISHED|OK \\[UIDVALIDITY )", Pattern.CASE_INSENSITIVE);
    private static final Pattern NEW_UIDS = Pattern.compile("^\\* OK \\[UIDVALIDITY ", Pattern.CASE_INSENSITIVE);

    private final ImapFrameReader reader;
    private final MessageInterception interception;
    private final VerdictCache cache;
    private final LongFunction<Optional<ViewKey>> keys;
    /** Where views are built and cached (the inspection pool), and the session's event loop they come back to. */
    private final Executor executor;
    private final Executor eventLoop;
    private final Counters counters;
    private final InFlightBudget budget;
    /** Of {@link #budget}, what this session's messages hold now (returned at the latest when the session closes). */
    private long reserved;
    private boolean closed;
    /** A private message's literal waits for its share of {@link #budget}: the upstream's frames are not taken. */
    private boolean waitingForBudget;
    private final long maxHeldBytes;
    private final Path spillDirectory;
    private final Session session;

    private Stage stage = Stage.IDLE;
    private FetchPlan plan;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private ByteArrayOutputStream partial;
    /** Skipping the rest of the private FETCH response after its message literal. */
    private boolean skippingResponse;
    private byte[] taggedLine;
    private boolean unavailable;
    private int privateCount;
    private String privateTag;
    /** The private fetch's tagged completion is still to come. */
    private boolean privateOpen;
    /** The messages the private fetch asked for that have not arrived yet, in the order asked. */
    private final ArrayDeque<Long> requested = new ArrayDeque<>();
    /** Messages of this command on their way through the action and the view's parse. */
    private int preparing;
    /** Messages of this command a private fetch asked for whose view is not ready yet. */
    private final Set<Long> fetching = new HashSet<>();
    /** Views built in this command for messages whose turn came first (served from here, not the cache). */
    private final Map<Long, InspectedView> ready = new HashMap<>();
    /** Messages of this command that could not be inspected (served without content, NO [UNAVAILABLE]). */
    private final Set<Long> failed = new HashSet<>();
    /** Messages the upstream no longer has (expunged by another session meanwhile): served without content. */
    private final Set<Long> gone = new HashSet<>();
    /** Counts commands, so that a view built for an earlier one (or a closed session) is dropped. */
    private long generation;
    private PrivateBody body;
    /** The last view served, for a message answered twice in one command without a cache key. */
    private long lastUid = -1;
    private InspectedView lastView;
    /**
     * The client's sequence numbers of messages served or read ahead, so a chunked download's chunks are answered
     * from the cached view without asking the upstream ({@link #answerFromCache}), and what to read ahead.
     */
    private final SequentialDownload download;
    /**
     * A proxy-private {@code UID FETCH from:to BODY.PEEK[]} of the messages after the ones a client downloads in
     * order, while the client has no command in progress: they are inspected and cached while the client still
     * reads the current one, so its next message is served without waiting for the upstream or the action.
     */
    private boolean readingAhead;
    private SequentialDownload.Range readAheadRange;
    /** A FETCH the client sent during the read-ahead, waiting for a message of it to be ready. */
    private FetchPlan waitingPlan;
    /**
     * What the upstream said during a read-ahead besides its messages (EXISTS, EXPUNGE, FLAGS): held until the client's
     * next command, as the upstream would have sent it then (RFC 3501 §7.4.1: no EXPUNGE without a command).
     */
    private final ArrayDeque<byte[]> updates = new ArrayDeque<>();
    private long updatesBytes;
    /** Serving waits for the client to drain what it was sent (a slow client never makes the proxy buffer more). */
    private boolean waitingForClient;

    private sealed interface Held permits HeldResponse, HeldFetch {
        int size();
    }

    private record HeldResponse(byte[] bytes, boolean tagged) implements Held {
        @Override
        public int size() {
            return bytes.length;
        }
    }

    private record HeldFetch(FetchResponse response, long uid, int size) implements Held {
    }

    ViewFetch(ImapFrameReader reader, MessageInterception interception, VerdictCache cache,
              LongFunction<Optional<ViewKey>> keys, Executor executor, Executor eventLoop, Counters counters,
              InFlightBudget budget, long maxHeldBytes, Path spillDirectory, int readAhead, Session session) {
        this.download = new SequentialDownload(readAhead);
        this.executor = executor;
        this.eventLoop = eventLoop;
        this.reader = reader;
        this.interception = interception;
        this.cache = cache;
        this.keys = keys;
        this.counters = counters;
        this.budget = budget;
        this.maxHeldBytes = maxHeldBytes;
        this.spillDirectory = spillDirectory;
        this.session = session;
    }

    /** The client's command was just sent upstream as {@link FetchPlan#upstreamLine}: its responses are held. */
    void begin(FetchPlan plan) {
        deliverUpdates();
        this.plan = plan;
        this.stage = Stage.COMMAND;
        this.unavailable = false;
        this.lastUid = -1;
        this.lastView = null;
    }

    /**
     * Answers a {@code UID FETCH} of one message entirely from its cached view, without the upstream, when nothing it
     * asks needs the upstream ({@link FetchPlan#viewOnlyUid}) and the client's sequence number of the message is
     * known: the second and later chunks of a chunked download. The upstream's pending updates (EXISTS, EXPUNGE,
     * FLAGS) reach the client with its next command that goes upstream; serving a message from the copy inspected
     * before another session expunged it is what RFC 2180 §4.1 allows a server. Called on the event loop.
     *
     * @return true when the command is answered (its tagged completion included); false: send it upstream
     */
    boolean answerFromCache(FetchPlan plan) {
        long uid = plan.viewOnlyUid();
        if (uid < 0) {
            return false;
        }
        deliverUpdates();
        OptionalLong sequenceNumber = download.sequenceNumberOf(uid);
        if (sequenceNumber.isEmpty()) {
            return false;
        }
        Optional<InspectedView> view = keys.apply(uid).flatMap(cache::get);
        if (view.isEmpty()) {
            return false;
        }
        counters.cacheHits().increment();
        begin(plan);
        FetchResponse response = FetchResponse.parse(("* " + sequenceNumber.getAsLong() + " FETCH (UID " + uid + ")\r\n")
            .getBytes(ISO_8859_1)).orElseThrow();
        held.add(new HeldFetch(response, uid, 0));
        lastUid = uid;
        lastView = view.get();
        taggedLine = (plan.tag() + " OK UID FETCH completed\r\n").getBytes(ISO_8859_1);
        stage = Stage.DRAINING;
        // Served from the event loop's next turn: the caller is still reading the client's commands.
        eventLoop.execute(() -> {
            if (stage == Stage.DRAINING && plan == this.plan) {
                drain(false);
                session.flushClient();
            }
        });
        return true;
    }

    /** An untagged line went to the client: one that may renumber messages makes the known sequence numbers void. */
    void onUntaggedRelayed(String line) {
        if (NEW_UIDS.matcher(line).find()) {
            download.restart();
        } else if (RENUMBERING.matcher(line).find()) {
            download.forget();
        }
    }

    /**
     * A FETCH the client sent while a read-ahead is open and that {@link #answerFromCache} could not answer yet: it
     * waits for the read-ahead, answered as soon as its message's view is ready, else sent upstream once the
     * read-ahead is over ({@link Session#readAheadOver}).
     *
     * @return false when no read-ahead is open: the caller goes on
     */
    boolean waitForReadAhead(FetchPlan plan) {
        if (!readingAhead) {
            return false;
        }
        waitingPlan = plan;
        return true;
    }

    /** True while a read-ahead is open: the client's commands other than FETCH wait for it to end. */
    boolean readingAhead() {
        return readingAhead;
    }

    /**
     * True while the client's commands are not read: its FETCH is held or served here, or waits for the read-ahead,
     * or an update of the upstream's is half received (the client's next command must not overtake it).
     */
    boolean holdsClient() {
        return stage != Stage.IDLE || waitingPlan != null || (!readingAhead && partial != null);
    }

    /** The client sent a command: what the upstream said during the last read-ahead goes first. */
    void deliverUpdates() {
        while (!updates.isEmpty()) {
            byte[] update = updates.pollFirst();
            updatesBytes -= update.length;
            session.relayUntagged(update);
        }
    }

    /**
     * True while a private fetch may go on receiving messages although one is with the action: each holds its share
     * of the in-flight budget, and no more than {@link #PARALLEL_PREPARATIONS} are prepared at once.
     */
    boolean collectsWhileInspecting() {
        return privateOpen && preparing < PARALLEL_PREPARATIONS;
    }

    /** True while a private message waits for memory: the upstream's frames stay where they are. */
    boolean waitingForBudget() {
        return waitingForBudget;
    }

    /**
     * True from {@link #begin} until the client had the tagged completion, during a read-ahead and while its updates
     * wait for the client's next command: every upstream frame comes here.
     */
    boolean isActive() {
        return stage != Stage.IDLE || readingAhead || !updates.isEmpty() || partial != null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Upstream frames

    void onFrame(ImapFrame frame) {
        ByteBuf content = frame.content();
        if (frame.isLiteralChunk()) {
            if (body != null && !body.done) {
                body.add(content, frame.isLastChunk());
            } else if (skippingResponse || partial == null) {
                content.release();
            } else {
                append(content);
            }
            return;
        }
        if (skippingResponse) {
            content.release();
            if (frame.announcesLiteral()) {
                reader.expectLiteral(frame.announcedLiteral());
            } else {
                skippingResponse = false;
            }
            return;
        }
        if (partial == null) {
            byte first = content.getByte(content.readerIndex());
            String line = content.toString(ISO_8859_1);
            if (first != '*' && first != '+') {
                content.release();
                onTagged(line);
                return;
            }
            if (privateOpen && frame.announcesLiteral() && body == null && ImapArguments.isFetchResponse(line)
                && BODY_LITERAL.matcher(line).find()) {
                content.release();
                startBody(line, frame.announcedLiteral());
                return;
            }
            partial = new ByteArrayOutputStream();
        }
        if (!append(content)) {
            return;
        }
        if (frame.announcesLiteral()) {
            if (heldBytes + partial.size() + frame.announcedLiteral() > maxHeldBytes) {
                overflow();
                return;
            }
            reader.expectLiteral(frame.announcedLiteral());
            return;
        }
        byte[] response = partial.toByteArray();
        partial = null;
        onResponse(response);
    }

    private boolean append(ByteBuf content) {
        try {
            if (heldBytes + partial.size() + content.readableBytes() > maxHeldBytes) {
                overflow();
                return false;
            }
            content.readBytes(partial, content.readableBytes());
            return true;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            content.release();
        }
    }

    private void overflow() {
        session.log().warn("the mail server's responses to a FETCH exceed {} bytes while held for inspection", maxHeldBytes);
        session.closeWithFarewell("[LIMIT] The mail server's response is too large for the proxy");
    }

    private void onResponse(byte[] response) {
        if (readingAhead || stage == Stage.IDLE) {
            holdUpdate(response);
            return;
        }
        heldBytes += response.length;
        if (stage == Stage.COMMAND && ImapArguments.isFetchResponse(new String(response, 0, Math.min(response.length, 64), ISO_8859_1))) {
            Optional<FetchResponse> parsed = FetchResponse.parse(response);
            OptionalLong uid = parsed.map(FetchResponse::uid).orElse(OptionalLong.empty());
            if (uid.isPresent() && plan.asksFor(parsed.get().sequenceNumber(), uid.getAsLong())) {
                held.add(new HeldFetch(parsed.get(), uid.getAsLong(), response.length));
                return;
            }
        }
        held.add(new HeldResponse(response, false));
    }

    private void onTagged(String line) {
        String tag = line.split(" ", 2)[0];
        byte[] bytes = line.getBytes(ISO_8859_1);
        if (stage == Stage.COMMAND && tag.equals(plan.tag())) {
            taggedLine = bytes;
            stage = Stage.DRAINING;
            drain(false);
        } else if (privateOpen && tag.equals(privateTag)) {
            privateCompleted(line);
        } else if (stage == Stage.SEEN && tag.equals(privateTag)) {
            // NO in a mailbox opened with EXAMINE, as the client's own non-PEEK FETCH would not set it there either.
            stage = Stage.DRAINING;
            drain(false);
        } else {
            // Nothing else is in flight while a view fetch is; whatever it is, it keeps its place.
            heldBytes += bytes.length;
            held.add(new HeldResponse(bytes, true));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Serving the held responses

    /** @param resume true after an inspection: the upstream's buffered frames must be taken again */
    private void drain(boolean resume) {
        while (stage == Stage.DRAINING || stage == Stage.PRIVATE) {
            Held next = held.peekFirst();
            if (next == null) {
                if (stage == Stage.DRAINING) {
                    finish();
                    return;
                }
                break;
            }
            if (next instanceof HeldResponse response) {
                held.pollFirst();
                heldBytes -= response.size();
                if (response.tagged()) {
                    session.relayTagged(response.bytes());
                } else {
                    session.relayUntagged(response.bytes());
                }
                continue;
            }
            if (!session.clientWritable()) {
                waitingForClient = true;
                session.flushClient();
                break;
            }
            HeldFetch fetch = (HeldFetch) next;
            if (failed.remove(fetch.uid())) {
                unavailable = true;
                serve(fetch, null);
                continue;
            }
            if (stage == Stage.DRAINING && gone.remove(fetch.uid())) {
                session.log().info("message UID {} gone before it could be fetched for inspection", fetch.uid());
                serve(fetch, null);
                continue;
            }
            InspectedView built = ready.remove(fetch.uid());
            Optional<InspectedView> view = built != null ? Optional.of(built) : viewOf(fetch.uid());
            if (view.isEmpty()) {
                if (stage == Stage.DRAINING) {
                    fetchPrivately(fetch.uid());
                }
                // else its view is on its way, or the private fetch's completion will say it is gone
                break;
            }
            if (stage == Stage.PRIVATE && plan.request().setsSeen()) {
                // \Seen is set by a private command of its own, once the private fetch is over.
                if (built != null) {
                    ready.put(fetch.uid(), built);
                }
                break;
            }
            serve(fetch, view.get());
            if (built != null && keys.apply(fetch.uid()).isEmpty()) {
                // Not cacheable (mailbox or user unknown): served once, and a spill file is deleted now.
                built.bytes().release();
            }
            if (built != null) {
                lastView = null;
            }
            markSeen(fetch.uid());
        }
        if (resume) {
            session.resumeUpstream();
        }
    }

    /** The client leg drained: serving goes on. */
    void onClientWritable() {
        if (waitingForClient && (stage == Stage.DRAINING || stage == Stage.PRIVATE)) {
            waitingForClient = false;
            drain(false);
            session.flushClient();
        }
    }

    private Optional<InspectedView> viewOf(long uid) {
        if (uid == lastUid && lastView != null) {
            return Optional.of(lastView);
        }
        Optional<InspectedView> cached = keys.apply(uid).flatMap(cache::get);
        cached.ifPresent(view -> counters.cacheHits().increment());
        return cached;
    }

    /**
     * The client had content its items mark read (a non-PEEK BODY[...], RFC822, RFC822.TEXT): the upstream sets
     * {@code \Seen} now, and its FETCH FLAGS response follows to the client. Only once the content was served, so a
     * message that could not be inspected stays unseen.
     */
    private void markSeen(long uid) {
        if (!plan.request().setsSeen() || stage != Stage.DRAINING) {
            return;
        }
        stage = Stage.SEEN;
        privateTag = PRIVATE_TAG_PREFIX + (++privateCount);
        session.toUpstream(Lines.encode(privateTag + " UID STORE " + uid + " +FLAGS (\\Seen)\r\n"));
        session.flushUpstream();
        session.flushClient();
    }

    /** Writes the held FETCH response at the head with the view's items (none when {@code view} is null). */
    private void serve(HeldFetch fetch, InspectedView view) {
        held.pollFirst();
        heldBytes -= fetch.size();
        if (view != null) {
            lastUid = fetch.uid();
            lastView = view;
        }
        download.served(fetch.uid(), fetch.response().sequenceNumber());
        List<ViewItem> items = view == null ? List.of() : plan.request().viewItems();
        ByteBuf out = session.alloc().buffer();
        out.writeCharSequence("* " + fetch.response().sequenceNumber() + " FETCH (", ISO_8859_1);
        ViewResponse large = null;
        if (!items.isEmpty() && view.size() > WRITTEN_WHOLE_UP_TO) {
            // Large: the message's bytes go out chunk by chunk, not copied into one buffer of the message's size.
            large = view.response(items, RESPONSE_CHUNK);
        } else if (!items.isEmpty()) {
            view.writeItems(items, out);
        }
        ByteBuf rest = session.alloc().buffer();
        for (FetchResponse.Item item : fetch.response().items()) {
            if (item.isContent() || (!plan.showsUid() && item.upperName().equals("UID"))) {
                continue;
            }
            if (rest.isReadable() || !items.isEmpty()) {
                rest.writeByte(' ');
            }
            rest.writeCharSequence(item.name() + " ", ISO_8859_1);
            rest.writeBytes(item.value());
        }
        if (items.isEmpty() && !rest.isReadable()) {
            // Nothing left to say about the message (its content could not be served, and it was all the client asked).
            out.release();
            rest.release();
            return;
        }
        rest.writeCharSequence(")\r\n", ISO_8859_1);
        if (large == null) {
            out.writeBytes(rest);
            rest.release();
            session.write(out);
        } else {
            session.write(out);
            session.write(large);
            session.write(rest);
        }
    }

    private void finish() {
        byte[] tagged = unavailable
            ? (plan.tag() + " NO [UNAVAILABLE] The message could not be inspected, try again later\r\n").getBytes(ISO_8859_1)
            : taggedLine;
        long servedUid = plan.viewOnlyUid();
        reset();
        session.relayTagged(tagged);
        session.finished();
        if (servedUid >= 0 && !readingAhead && !closed && keys.apply(servedUid).isPresent() && session.betweenCommands()) {
            download.next(servedUid).ifPresent(this::readAhead);
        }
    }

    private void reset() {
        stage = Stage.IDLE;
        if (!readingAhead) {
            // (A command answered from the cache during a read-ahead leaves the read-ahead's private fetch alone.)
            generation++;
            privateOpen = false;
            requested.clear();
            preparing = 0;
        }
        ready.clear();
        failed.clear();
        gone.clear();
        fetching.clear();
        waitingForClient = false;
        plan = null;
        taggedLine = null;
        lastView = null;
        lastUid = -1;
        heldBytes = 0;
        held.clear();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The private fetch of a whole message

    private void fetchPrivately(long uid) {
        stage = Stage.PRIVATE;
        List<Long> uids = batchFrom(uid);
        requested.addAll(uids);
        fetching.addAll(uids);
        privateOpen = true;
        privateTag = PRIVATE_TAG_PREFIX + (++privateCount);
        counters.upstreamFetches().add(uids.size());
        StringBuilder set = new StringBuilder();
        for (long each : uids) {
            set.append(set.length() == 0 ? "" : ",").append(each);
        }
        session.toUpstream(Lines.encode(privateTag + " UID FETCH " + set + " BODY.PEEK[]\r\n"));
        session.flushUpstream();
        // What was served so far goes out while the next message is fetched.
        session.flushClient();
    }

    /**
     * The message the client waits for, and the next held ones without a view, in the held order (which is the
     * upstream's). Alone when its view cannot be cached (the others' views would have nowhere to wait) or when the
     * client's command sets \Seen (set message by message once each was served).
     */
    private List<Long> batchFrom(long uid) {
        List<Long> uids = new ArrayList<>();
        uids.add(uid);
        if (plan.request().setsSeen() || keys.apply(uid).isEmpty()) {
            return uids;
        }
        for (Held each : held) {
            if (uids.size() >= PRIVATE_FETCH_BATCH) {
                break;
            }
            if (each instanceof HeldFetch fetch && !uids.contains(fetch.uid()) && needsFetch(fetch.uid())) {
                uids.add(fetch.uid());
            }
        }
        return uids;
    }

    private boolean needsFetch(long uid) {
        return !fetching.contains(uid) && !failed.contains(uid) && !gone.contains(uid) && !ready.containsKey(uid)
            && keys.apply(uid).flatMap(cache::get).isEmpty();
    }

    /**
     * The first held message after those on their way that needs a private fetch, while the command's messages
     * are cacheable and the client is not too far behind: asked for as soon as the private fetch before is in, so
     * the upstream sends it while the last ones are with the action. -1 when none.
     */
    private long nextToFetch() {
        if (plan.request().setsSeen()) {
            return -1;
        }
        int ahead = 0;
        for (Held each : held) {
            if (each instanceof HeldFetch fetch) {
                if (keys.apply(fetch.uid()).isEmpty() || ++ahead > 2 * PRIVATE_FETCH_BATCH) {
                    return -1;
                }
                if (needsFetch(fetch.uid())) {
                    return fetch.uid();
                }
            }
        }
        return -1;
    }

    /**
     * Which message a private FETCH response carries: its UID item, which servers send before the body in answer to
     * UID FETCH; else the next one asked for. A UID the proxy did not ask for is not taken for another message.
     *
     * @return the UID, or -1 when the response is none of the asked messages'
     */
    private long uidOf(String line) {
        Matcher matcher = RESPONSE_UID.matcher(line);
        if (matcher.find()) {
            long uid = Long.parseLong(matcher.group(1));
            return requested.remove(uid) ? uid : -1;
        }
        Long next = requested.pollFirst();
        return next == null ? -1 : next;
    }

    private void startBody(String line, long size) {
        if (readingAhead) {
            readAheadBody(line, size);
            return;
        }
        long uid = uidOf(line);
        if (uid < 0) {
            session.log().warn("a private FETCH response for a message the proxy did not ask for is skipped: {}", line.trim());
            skippingResponse = true;
            reader.expectLiteral(size);
            return;
        }
        MessageInterception.SizeDecision decision = interception.decide(size);
        if (decision == MessageInterception.SizeDecision.INSPECT && size > 0) {
            long command = generation;
            if (!budget.reserveOrWait(size, eventLoop, () -> budgetGranted(uid, size, command))) {
                waitingForBudget = true;
                return;
            }
            reserved += size;
        }
        beginBody(uid, size, decision, decision == MessageInterception.SizeDecision.INSPECT ? size : 0);
    }

    private void budgetGranted(long uid, long size, long command) {
        if (closed || generation != command) {
            budget.release(size);
            return;
        }
        reserved += size;
        waitingForBudget = false;
        beginBody(uid, size, MessageInterception.SizeDecision.INSPECT, size);
        session.resumeUpstream();
    }

    private void beginBody(long uid, long size, MessageInterception.SizeDecision decision, long share) {
        body = switch (decision) {
            case INSPECT -> new PrivateBody(uid, share, interception.collector(size), null, decision);
            case REPLACE_WITH_NOTICE -> new PrivateBody(uid, 0, MessageCollector.headOnly(), null, decision);
            case PASS_UNINSPECTED -> {
                interception.passedUninspected(size);
                yield new PrivateBody(uid, 0, null, spillFile(), decision);
            }
        };
        if (size == 0) {
            body.complete();
        } else {
            reader.expectLiteral(size);
        }
    }

    /** A message's share of the budget is back (its view is cached or given up). */
    private void giveBack(long share) {
        if (share > 0 && !closed) {
            reserved -= share;
            budget.release(share);
        }
    }

    private Spill spillFile() {
        try {
            Files.createDirectories(spillDirectory);
            Path file = Files.createTempFile(spillDirectory, "uninspected-", ".eml");
            return new Spill(file, FileChannel.open(file, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a spill file in " + spillDirectory, e);
        }
    }

    /** The private fetch is over: what it did not bring is gone; serving goes on once every view is ready. */
    private void privateCompleted(String line) {
        privateOpen = false;
        if (body != null) {
            // Its literal never ended: nothing of it is served.
            fetching.remove(body.uid);
            body.release();
            body = null;
        }
        if (readingAhead) {
            if (preparing == 0) {
                readAheadOver();
            }
            return;
        }
        if (!requested.isEmpty()) {
            session.log().info("messages UID {} not returned by the mail server ({})", requested, line.trim());
            gone.addAll(requested);
            fetching.removeAll(requested);
            requested.clear();
        }
        long next = nextToFetch();
        if (next >= 0) {
            fetchPrivately(next);
            return;
        }
        if (preparing == 0) {
            stage = Stage.DRAINING;
            drain(false);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading ahead of a client that downloads message after message

    private void readAhead(SequentialDownload.Range range) {
        readingAhead = true;
        readAheadRange = range;
        privateOpen = true;
        privateTag = PRIVATE_TAG_PREFIX + (++privateCount);
        session.toUpstream(Lines.encode(privateTag + " UID FETCH " + range + " BODY.PEEK[]\r\n"));
        session.flushUpstream();
    }

    /**
     * A message of the read-ahead: inspected when the action inspects messages of its size and its share of the
     * in-flight budget is free now (a read-ahead never waits for memory others need); else left for the client's own
     * FETCH. Its sequence number is learned either way.
     */
    private void readAheadBody(String line, long size) {
        Matcher uid = RESPONSE_UID.matcher(line);
        Matcher number = RESPONSE_SEQUENCE_NUMBER.matcher(line);
        if (!uid.find() || !number.find() || !readAheadRange.contains(Long.parseLong(uid.group(1)))) {
            skipBody(size);
            return;
        }
        long messageUid = Long.parseLong(uid.group(1));
        download.learned(messageUid, Long.parseLong(number.group(1)));
        if (size == 0 || interception.decide(size) != MessageInterception.SizeDecision.INSPECT
            || keys.apply(messageUid).flatMap(cache::get).isPresent() || !budget.tryReserve(size)) {
            skipBody(size);
            return;
        }
        reserved += size;
        counters.upstreamFetches().increment();
        beginBody(messageUid, size, MessageInterception.SizeDecision.INSPECT, size);
    }

    private void skipBody(long size) {
        skippingResponse = true;
        reader.expectLiteral(size);
    }

    /** A read-ahead message is cached (or could not be inspected: the client's own FETCH tries again). */
    private void readAheadViewReady(boolean resume) {
        preparing--;
        if (waitingPlan != null && answerFromCache(waitingPlan)) {
            waitingPlan = null;
        }
        if (!privateOpen && preparing == 0) {
            readAheadOver();
        }
        if (resume) {
            session.resumeUpstream();
        }
    }

    /** A response of the read-ahead's own without a literal (a message with no body to read ahead): not the client's. */
    private boolean isReadAheadResponse(byte[] response) {
        String start = new String(response, 0, Math.min(response.length, 256), ISO_8859_1);
        if (!ImapArguments.isFetchResponse(start) || !start.toUpperCase(Locale.US).contains("BODY[")) {
            return false;
        }
        Matcher uid = RESPONSE_UID.matcher(start);
        return uid.find() && readAheadRange.contains(Long.parseLong(uid.group(1)));
    }

    /** Untagged data outside a client's FETCH: it waits for the client's next command ({@link #deliverUpdates}). */
    private void holdUpdate(byte[] response) {
        if (readingAhead && isReadAheadResponse(response)) {
            return;
        }
        if (updatesBytes + response.length > maxHeldBytes) {
            overflow();
            return;
        }
        updates.add(response);
        updatesBytes += response.length;
        if (!readingAhead && stage == Stage.IDLE) {
            // It was half received when the client's next command came: that command goes on now.
            session.finished();
        }
    }

    private void readAheadOver() {
        readingAhead = false;
        readAheadRange = null;
        // Later: this runs inside the upstream's frames or a verdict; the client's waiting command is sent from a
        // turn of its own (it stays held, holdsClient(), until then).
        eventLoop.execute(() -> {
            if (closed) {
                return;
            }
            FetchPlan waiting = waitingPlan;
            waitingPlan = null;
            session.readAheadOver(waiting);
        });
    }

    /** A private message's literal arrived whole: it goes through the action now, while the next one arrives. */
    private void bodyComplete(PrivateBody message) {
        body = null;
        preparing++;
        switch (message.decision) {
            case INSPECT -> interception.inspect(message.collector.take(), new Renderer(message.uid, true, message.share));
            case REPLACE_WITH_NOTICE -> interception.replaceOversize(message.collector.take(), new Renderer(message.uid, false, 0));
            case PASS_UNINSPECTED -> {
                try {
                    message.spill.channel.close();
                    prepare(message.uid, MessageBytes.spilled(message.spill.file), 0);
                } catch (IOException e) {
                    session.log().warn("spill file {} unusable: {}", message.spill.file, e.getMessage());
                    viewReady(message.uid, null, false);
                }
            }
        }
    }

    /**
     * The message's bytes as the action left them: the view is built (its MIME structure parsed) and cached off the
     * event loop, before the client is served, so the client's next chunk finds it in the cache.
     */
    private void prepare(long uid, MessageBytes bytes, long share) {
        Optional<ViewKey> key = keys.apply(uid);
        long command = generation;
        boolean describe = plan != null && plan.request().describesStructure();
        executor.execute(() -> {
            InspectedView built;
            try {
                built = InspectedView.of(bytes);
                if (describe) {
                    // Its structure is asked now: its line counts are taken here, not on the event loop.
                    built.countLines();
                }
            } catch (RuntimeException e) {
                session.log().error("inspected view of UID " + uid + " not built", e);
                built = null;
            }
            InspectedView view = built;
            CompletionStage<Void> stored = view == null || key.isEmpty() ? STORED : cache.put(key.get(), view);
            // The message's share of the in-flight memory is free once the cache holds it where it stays (a spill
            // file is written meanwhile); the client is served from memory at once.
            stored.whenComplete((done, failure) -> eventLoop.execute(() -> giveBack(share)));
            eventLoop.execute(() -> {
                if (generation != command) {
                    // The session ended meanwhile; what the cache did not take is dropped.
                    if (key.isEmpty()) {
                        bytes.release();
                    }
                    return;
                }
                viewReady(uid, view, true);
            });
        });
    }

    /** @param view null when the message could not be inspected */
    private void viewReady(long uid, InspectedView view, boolean resume) {
        if (readingAhead) {
            readAheadViewReady(resume);
            return;
        }
        preparing--;
        fetching.remove(uid);
        if (view == null) {
            failed.add(uid);
        } else if (isFirstHeld(uid) || keys.apply(uid).isEmpty()) {
            // Its turn: served from here, whatever the cache keeps. The others wait in the cache.
            ready.put(uid, view);
        }
        if (!privateOpen && preparing == 0) {
            stage = Stage.DRAINING;
        }
        drain(resume);
    }

    private boolean isFirstHeld(long uid) {
        for (Held each : held) {
            if (each instanceof HeldFetch fetch) {
                return fetch.uid() == uid;
            }
        }
        return false;
    }

    /** The proxy action's verdict on a privately fetched message, as the view's bytes. */
    private final class Renderer implements VerdictRenderer {
        private final long uid;
        private final long share;
        /** True when the verdict comes back from the inspection pool: the upstream's frames are taken again. */
        private final boolean resume;

        Renderer(long uid, boolean resume, long share) {
            this.uid = uid;
            this.share = share;
            this.resume = resume;
        }

        @Override
        public void allowed(byte[] content, boolean modified) {
            prepare(uid, MessageBytes.inMemory(content), share);
            resumeReading();
        }

        @Override
        public void denied(byte[] notice, String reason) {
            // The notice is what the message is from now on, in every shape (listing, sections, windows, size).
            prepare(uid, MessageBytes.inMemory(notice), share);
            resumeReading();
        }

        @Override
        public void tempfailed(byte[] notice, String reason) {
            // Never cached: the next FETCH tries again.
            giveBack(share);
            viewReady(uid, null, resume);
        }

        @Override
        public void closing() {
            session.closeWithFarewell("Connection closed by policy");
        }

        /** The next message's literal is received while this one's view is built. */
        private void resumeReading() {
            if (resume) {
                session.resumeUpstream();
            }
        }
    }

    private record Spill(Path file, FileChannel channel) {
    }

    /** The literal of a private fetch, on its way to the action (or to a spill file when it passes uninspected). */
    private final class PrivateBody {
        private final long uid;
        /** Its share of the in-flight budget. */
        private final long share;
        private final MessageCollector collector;
        private final Spill spill;
        private final MessageInterception.SizeDecision decision;
        private boolean done;

        PrivateBody(long uid, long share, MessageCollector collector, Spill spill, MessageInterception.SizeDecision decision) {
            this.uid = uid;
            this.share = share;
            this.collector = collector;
            this.spill = spill;
            this.decision = decision;
        }

        void add(ByteBuf chunk, boolean last) {
            if (collector != null) {
                collector.add(chunk);
            } else {
                try {
                    chunk.readBytes(spill.channel, chunk.readableBytes());
                } catch (IOException e) {
                    session.log().warn("spill file {} unusable: {}", spill.file, e.getMessage());
                    session.closeWithFarewell("[UNAVAILABLE] The proxy cannot store the message");
                } finally {
                    chunk.release();
                }
            }
            if (last) {
                complete();
            }
        }

        void complete() {
            done = true;
            // The rest of the response (") " or " FLAGS (...))") is not the client's.
            skippingResponse = true;
            bodyComplete(this);
        }

        void release() {
            giveBack(share);
            if (collector != null) {
                collector.release();
            }
            if (spill != null) {
                try {
                    spill.channel.close();
                    Files.deleteIfExists(spill.file);
                } catch (IOException e) {
                    session.log().warn("spill file {} not deleted: {}", spill.file, e.getMessage());
                }
            }
        }
    }

    /** The session closed: what is held is dropped, a spill file deleted. */
    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
        partial = null;
        readingAhead = false;
        waitingPlan = null;
        updates.clear();
        reset();
        // Messages still with the action or being parsed give their share back now: their verdicts are dropped.
        closed = true;
        waitingForBudget = false;
        budget.release(reserved);
        reserved = 0;
    }

    @Override
    public String toString() {
        return "ViewFetch[" + stage.name().toLowerCase(Locale.US) + ", " + held.size() + " held]";
    }
}
