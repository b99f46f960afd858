package org.jamesproxy.smtp;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.util.ArrayList;
import java.util.List;

import org.jamesproxy.relay.InputBuffer;

import com.google.common.collect.ImmutableList;

import io.netty.buffer.ByteBuf;

/** One complete SMTP reply ("250-a" ... "250 z"), kept as received so that it can reach the client unchanged. */
final class SmtpReply {
    /** Thrown when the upstream's bytes are not an SMTP reply: the leg cannot be trusted any further. */
    static final class MalformedReplyException extends Exception {
        MalformedReplyException(String line) {
            super("not an SMTP reply line: '" + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "'");
        }
    }

    /** Cuts replies out of one leg's input; a reply is complete on its line with a space (or nothing) after the code. */
    static final class Reader {
        private final InputBuffer buffer;
        private final List<String> lines = new ArrayList<>();

        Reader(InputBuffer buffer) {
            this.buffer = buffer;
        }

        /** @return the next complete reply, or null when more bytes are needed */
        SmtpReply next() throws InputBuffer.LineTooLongException, MalformedReplyException {
            ByteBuf line;
            while ((line = buffer.nextLine()) != null) {
                String text;
                try {
                    text = line.toString(ISO_8859_1);
                } finally {
                    line.release();
                }
                text = stripLineEnd(text);
                if (text.length() < 3 || !Character.isDigit(text.charAt(0)) || !Character.isDigit(text.charAt(1))
                    || !Character.isDigit(text.charAt(2)) || (text.length() > 3 && text.charAt(3) != ' ' && text.charAt(3) != '-')) {
                    throw new MalformedReplyException(text);
                }
                lines.add(text);
                if (text.length() == 3 || text.charAt(3) == ' ') {
                    SmtpReply reply = new SmtpReply(ImmutableList.copyOf(lines));
                    lines.clear();
                    return reply;
                }
            }
            return null;
        }

        InputBuffer buffer() {
            return buffer;
        }
    }

    static String stripLineEnd(String text) {
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(0, end);
    }

    private final ImmutableList<String> lines;

    SmtpReply(ImmutableList<String> lines) {
        this.lines = lines;
    }

    int code() {
        return Integer.parseInt(lines.get(0).substring(0, 3));
    }

    boolean isPositive() {
        return code() >= 200 && code() < 300;
    }

    /** Each line's text after "ddd-" / "ddd ". */
    List<String> texts() {
        return lines.stream().map(line -> line.length() > 4 ? line.substring(4) : "").collect(ImmutableList.toImmutableList());
    }

    List<String> lines() {
        return lines;
    }

    /** The reply as it came, CRLF after each line. */
    String wire() {
        StringBuilder wire = new StringBuilder();
        lines.forEach(line -> wire.append(line).append("\r\n"));
        return wire.toString();
    }

    @Override
    public String toString() {
        return String.join(" | ", lines);
    }
}
