package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jamesproxy.relay.Lines;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The upstream's responses on their way to the client: capability lists and codes rewritten for the client leg,
 * referrals removed, tagged completions and continuation requests reported to the client side, and the literals
 * of FETCH responses offered to the {@link FetchInterception}. Everything else goes out as it came.
 */
final class ResponseRelay {
    /** What the client side learns from the responses. */
    interface Commands {
        /** A {@code +}: the upstream waits for the client. @return true when the proxy took it (not relayed) */
        boolean continuationRequested();

        /** A tagged status, before it goes to the client. @return a line that replaces it, CRLF included */
        java.util.Optional<String> completed(String tag, String status);

        /** A tagged status was written to the client. */
        void taggedResponseRelayed();

        /** True while a command of the client's waits for its tagged status. */
        boolean awaitingResponses();

        /** Untagged data nobody asked for arrived before login and is not relayed; {@code line} is its first line. */
        void unsolicitedDropped(String line);
    }

    private final ImapFrameReader reader;
    private final FetchInterception.Client client;
    private final Supplier<ImapCapabilities.ClientLeg> clientLeg;
    private final Commands commands;
    private final FetchInterception fetch;
    private final ViewFetch views;
    private final Consumer<String> untaggedLines;
    private boolean responseContinues;
    private boolean responseIsFetch;
    /** The response in progress is dropped, its literals and continuation lines with it. */
    private boolean dropping;

    ResponseRelay(ImapFrameReader reader, FetchInterception.Client client, Supplier<ImapCapabilities.ClientLeg> clientLeg,
                  Commands commands, FetchInterception fetch, ViewFetch views, Consumer<String> untaggedLines) {
        this.reader = reader;
        this.views = views;
        this.untaggedLines = untaggedLines;
        this.client = client;
        this.clientLeg = clientLeg;
        this.commands = commands;
        this.fetch = fetch;
    }

    void onFrame(ImapFrame frame) {
        if (dropping) {
            drop(frame);
            return;
        }
        if (views.isActive() && !responseContinues) {
            // A FETCH answered from inspected views: its responses, and whatever comes with them, wait there.
            views.onFrame(frame);
            return;
        }
        if (frame.isLiteralChunk()) {
            if (!fetch.takes(frame)) {
                client.write(frame.content());
            }
            return;
        }
        ByteBuf content = frame.content();
        boolean start = !responseContinues;
        boolean tagged = false;
        responseContinues = frame.announcesLiteral();
        if (start) {
            byte first = content.getByte(content.readerIndex());
            if (first == '+') {
                if (commands.continuationRequested()) {
                    content.release();
                } else {
                    client.write(content);
                }
                return;
            }
            if (first == '*' && unsolicitedBeforeLogin()) {
                // Untagged data before login that no command of the client's asked for (e.g. sent by the upstream
                // right after its greeting): the client never sees it, as with data sent before a STARTTLS go-ahead.
                dropping = true;
                commands.unsolicitedDropped(content.toString(ISO_8859_1));
                drop(frame);
                return;
            }
            String line = content.toString(ISO_8859_1);
            responseIsFetch = first == '*' && ImapArguments.isFetchResponse(line);
            tagged = first != '*';
            content = tagged ? onTagged(line, content) : rewriteUntagged(line, content);
        }
        if (frame.announcesLiteral()) {
            reader.expectLiteral(frame.announcedLiteral());
            if (!(responseIsFetch && fetch.holds(content, frame.announcedLiteral()))) {
                client.write(content);
            }
        } else {
            client.write(content);
        }
        if (tagged) {
            commands.taggedResponseRelayed();
        }
    }

    /** A response the {@link ViewFetch} held, complete: relayed as any other would have been. */
    void relayUntagged(byte[] response) {
        ByteBuf content = Unpooled.wrappedBuffer(response);
        int lineEnd = indexOfLf(response);
        if (lineEnd == response.length - 1) {
            content = rewriteUntagged(new String(response, ISO_8859_1), content);
        }
        client.write(content);
    }

    /** A tagged completion the {@link ViewFetch} held (or made): its command completes. */
    void relayTagged(byte[] line) {
        client.write(onTagged(new String(line, ISO_8859_1), Unpooled.wrappedBuffer(line)));
        commands.taggedResponseRelayed();
    }

    private static int indexOfLf(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean unsolicitedBeforeLogin() {
        return !clientLeg.get().authenticated && !commands.awaitingResponses();
    }

    private void drop(ImapFrame frame) {
        if (frame.isLiteralChunk()) {
            dropping = !frame.isLastChunk() || responseContinues;
        } else {
            responseContinues = frame.announcesLiteral();
            if (responseContinues) {
                reader.expectLiteral(frame.announcedLiteral());
            }
            dropping = responseContinues;
        }
        frame.content().release();
    }

    private ByteBuf rewriteUntagged(String line, ByteBuf original) {
        untaggedLines.accept(line);
        if (line.toUpperCase(Locale.US).startsWith("* CAPABILITY ")) {
            original.release();
            return Lines.encode("* CAPABILITY " + ImapCapabilities.rewrite(
                ImapCapabilities.parse(line.substring("* CAPABILITY ".length()).trim()), clientLeg.get()) + "\r\n");
        }
        return rewriteCodes(line, original);
    }

    private ByteBuf onTagged(String line, ByteBuf original) {
        String[] words = line.split(" ", 3);
        java.util.Optional<String> replacement = commands.completed(words[0], words.length > 1 ? words[1].toUpperCase(Locale.US) : "");
        if (replacement.isPresent()) {
            original.release();
            return Lines.encode(replacement.get());
        }
        return rewriteCodes(line, original);
    }

    private ByteBuf rewriteCodes(String line, ByteBuf original) {
        String rewritten = ImapCapabilities.stripReferral(ImapCapabilities.rewriteCode(line, clientLeg.get()));
        if (rewritten.equals(line)) {
            return original;
        }
        original.release();
        return Lines.encode(rewritten);
    }
}
