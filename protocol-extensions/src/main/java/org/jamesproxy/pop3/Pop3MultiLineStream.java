package org.jamesproxy.pop3;

import java.util.function.Consumer;

import org.jamesproxy.relay.InputBuffer;

import io.netty.buffer.ByteBuf;

/**
 * Relays one multi-line answer as it is, in as large slices as were read, up to and including ".CRLF". Reads may cut
 * anywhere, the terminator included: what may be its start is kept back until the next read says.
 */
final class Pop3MultiLineStream {
    private boolean atLineStart;
    private long streamed;
    private long limit;

    /** A new answer, of at most {@code limit} bytes (past it, {@link #isOverLimit()}). */
    void start(long limit) {
        this.atLineStart = true;
        this.streamed = 0;
        this.limit = limit;
    }

    /**
     * Hands what can be relayed of {@code in} to {@code out} (one slice, owned by {@code out}).
     *
     * @return true once the terminator was relayed
     */
    boolean relay(InputBuffer in, Consumer<ByteBuf> out) {
        ByteBuf buffer = in.unconsumed();
        int start = buffer.readerIndex();
        int end = buffer.writerIndex();
        int position = start;
        boolean terminated = false;
        while (position < end) {
            if (atLineStart && buffer.getByte(position) == '.') {
                int available = end - position;
                if (available >= 3 && buffer.getByte(position + 1) == '\r' && buffer.getByte(position + 2) == '\n') {
                    position += 3;
                    terminated = true;
                    break;
                }
                if (available == 1 || (available == 2 && buffer.getByte(position + 1) == '\r')) {
                    // Maybe the terminator, split across reads: wait for the rest.
                    break;
                }
            }
            int lf = buffer.indexOf(position, end, (byte) '\n');
            if (lf < 0) {
                position = end;
                atLineStart = false;
                break;
            }
            position = lf + 1;
            atLineStart = true;
        }
        int length = position - start;
        if (length > 0) {
            streamed += length;
            out.accept(in.nextBytes(length));
        }
        return terminated;
    }

    /** True once more than the limit was relayed: the relay cannot keep in step with the mail server. */
    boolean isOverLimit() {
        return streamed > limit;
    }
}
