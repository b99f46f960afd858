package org.jamesproxy.imap.view;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.netty.buffer.ByteBuf;

/**
 * An immutable view over the inspected message's bytes: it answers the content, size and structure FETCH items
 * from those bytes (RFC 3501 §6.4.5 / RFC 9051 §6.4.5 sections, then the {@code <origin.count>} window), so every
 * shape a client fetches in is cut from the one inspected message. The structure is parsed once, here.
 *
 * <p>BINARY (RFC 3516): the part's Content-Transfer-Encoding is undone for base64 and quoted-printable, identity for
 * 7bit/8bit/binary; for any other encoding {@link #unknownTransferEncoding} is true so the session can answer
 * {@code NO [UNKNOWN-CTE]}, and {@link #writeItems} writes {@code NIL} (BINARY.SIZE: the encoded size).
 * {@code BINARY[]} is the whole message as is. A decoded value containing NUL is sent as a literal8 ({@code ~{n}}).
 */
public final class InspectedView {
    private final MessageBytes bytes;
    private final MimeEntity root;

    private InspectedView(MessageBytes bytes, MimeEntity root) {
        this.bytes = bytes;
        this.root = root;
    }

    public static InspectedView of(MessageBytes bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new InspectedView(bytes, MimeParser.parse(bytes));
    }

    /**
     * Counts the body lines BODY and BODYSTRUCTURE give now rather than when first written (they are counted once,
     * when first asked, as most views never describe their structure).
     *
     * @throws UncheckedIOException when a spill file cannot be read
     */
    public void countLines() {
        try {
            countLines(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the inspected message", e);
        }
    }

    private void countLines(MimeEntity entity) throws IOException {
        entity.bodyLines(bytes);
        for (MimeEntity child : entity.children) {
            countLines(child);
        }
        if (entity.message != null) {
            countLines(entity.message);
        }
    }

    /** The same view over another copy of the same bytes (the cache moving a view to a spill file): no re-parse. */
    InspectedView withBytes(MessageBytes copy) {
        if (copy.length() != bytes.length()) {
            throw new IllegalArgumentException("a copy of " + bytes.length() + " bytes has " + copy.length());
        }
        return new InspectedView(copy, root);
    }

    public MessageBytes bytes() {
        return bytes;
    }

    /** RFC822.SIZE: the inspected message's length in octets. */
    public long size() {
        return bytes.length();
    }

    /** Whether a BINARY item among these names a part whose transfer encoding this view cannot undo (RFC 3516 UNKNOWN-CTE). */
    public boolean unknownTransferEncoding(List<ViewItem> items) {
        for (ViewItem item : items) {
            if ((item.kind() == ViewItem.Kind.BINARY || item.kind() == ViewItem.Kind.BINARY_SIZE) && !item.part().isEmpty()) {
                MimeEntity part = navigate(item.part());
                if (part != null && !TransferDecoding.known(part.transferEncoding())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Appends each item as {@code name SP value}, space-separated, in the given order.
     *
     * @throws UncheckedIOException when a spill file cannot be read
     */
    public void writeItems(List<ViewItem> items, ByteBuf out) {
        write(items, new ResponseSink.Direct(out, bytes));
    }

    /**
     * The same bytes {@link #writeItems} would append, as a {@link io.netty.handler.stream.ChunkedInput} of at most
     * {@code chunkSize} bytes per chunk: a whole-message FETCH of a large (spilled) message then needs no buffer of
     * its size; the message bytes are read as the chunks are taken.
     *
     * @throws UncheckedIOException when a spill file cannot be read
     */
    public ViewResponse response(List<ViewItem> items, int chunkSize) {
        ResponseSink.Segments segments = new ResponseSink.Segments(bytes);
        write(items, segments);
        return new ViewResponse(segments.finish(), chunkSize, bytes);
    }

    private void write(List<ViewItem> items, ResponseSink sink) {
        try {
            boolean first = true;
            for (ViewItem item : items) {
                if (!first) {
                    sink.text().writeByte(' ');
                }
                first = false;
                ImapValues.atom(sink.text(), item.responseName());
                sink.text().writeByte(' ');
                writeValue(item, sink);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the inspected message", e);
        }
    }

    private void writeValue(ViewItem item, ResponseSink sink) throws IOException {
        ByteBuf out = sink.text();
        switch (item.kind()) {
            case SECTION, RFC822, RFC822_HEADER, RFC822_TEXT -> {
                // a section that does not exist is an empty string, as James 3.8.1 and Dovecot answer (RFC 3501 is silent)
                Section section = Optional.ofNullable(section(item)).orElse(Section.EMPTY);
                writeWindow(section, item, sink, false);
            }
            case RFC822_SIZE -> ImapValues.atom(out, Long.toString(size()));
            case BINARY -> {
                Section section = binary(item);
                if (section == null) {
                    ImapValues.atom(out, "NIL");
                } else {
                    writeWindow(section, item, sink, section.containsNul(bytes));
                }
            }
            case BINARY_SIZE -> {
                Section section = binary(item);
                if (section == null) {
                    MimeEntity part = navigate(item.part());
                    ImapValues.atom(out, Long.toString(part == null ? 0 : part.bodySize()));
                } else {
                    ImapValues.atom(out, Long.toString(section.length()));
                }
            }
            case BODY -> new BodyStructureWriter(false, bytes).write(root, out);
            case BODYSTRUCTURE -> new BodyStructureWriter(true, bytes).write(root, out);
        }
    }

    private void writeWindow(Section section, ViewItem item, ResponseSink sink, boolean binary) throws IOException {
        long length = section.length();
        long from = item.origin().orElse(0);
        long count = item.count().orElse(Long.MAX_VALUE);
        long windowStart = Math.min(from, length);
        long windowLength = Math.min(count, length - windowStart);
        ImapValues.literalHeader(sink.text(), windowLength, binary);
        section.write(windowStart, windowLength, sink);
    }

    private Section section(ViewItem item) {
        return switch (item.kind()) {
            case RFC822 -> Section.range(0, bytes.length());
            case RFC822_HEADER -> Section.range(root.start, root.bodyStart - root.start);
            case RFC822_TEXT -> Section.range(root.bodyStart, root.bodySize());
            default -> bodySection(item);
        };
    }

    private Section bodySection(ViewItem item) {
        MimeEntity target;
        if (item.part().isEmpty()) {
            if (item.text() == ViewItem.SectionText.WHOLE) {
                return Section.range(0, bytes.length());
            }
            target = root;
        } else {
            MimeEntity part = navigate(item.part());
            if (part == null) {
                return null;
            }
            switch (item.text()) {
                case WHOLE:
                    return Section.range(part.bodyStart, part.bodySize());
                case MIME:
                    return Section.range(part.start, part.bodyStart - part.start);
                default:
                    // HEADER, TEXT and HEADER.FIELDS after a part number need a message/rfc822 part (RFC 3501 §6.4.5)
                    target = part.message;
                    if (target == null) {
                        return null;
                    }
            }
        }
        return switch (item.text()) {
            case HEADER -> Section.range(target.start, target.bodyStart - target.start);
            case TEXT -> Section.range(target.bodyStart, target.bodySize());
            case HEADER_FIELDS -> headerFields(target, item.fieldNames(), true);
            case HEADER_FIELDS_NOT -> headerFields(target, item.fieldNames(), false);
            default -> throw new IllegalStateException("unreachable " + item);
        };
    }

    /** The matching fields verbatim (folded lines kept) in header order, then the blank line (RFC 3501 §6.4.5). */
    private Section headerFields(MimeEntity entity, List<String> names, boolean matching) {
        ByteArrayOutputStream selected = new ByteArrayOutputStream();
        try {
            for (HeaderField field : entity.fields) {
                boolean named = names.stream().anyMatch(field::named);
                if (named == matching) {
                    byte[] raw = bytes.read(field.rawStart(), (int) (field.rawEnd() - field.rawStart()));
                    selected.write(raw);
                    if (raw.length > 0 && raw[raw.length - 1] != '\n') {
                        selected.write('\r');
                        selected.write('\n');
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        selected.write('\r');
        selected.write('\n');
        return Section.of(selected.toByteArray());
    }

    private Section binary(ViewItem item) throws IOException {
        if (item.part().isEmpty()) {
            return Section.range(0, bytes.length());
        }
        MimeEntity part = navigate(item.part());
        if (part == null) {
            return null;
        }
        String encoding = part.transferEncoding();
        if (!TransferDecoding.known(encoding)) {
            return null;
        }
        if (TransferDecoding.identity(encoding)) {
            return Section.range(part.bodyStart, part.bodySize());
        }
        return Section.of(TransferDecoding.decode(encoding, bytes.read(part.bodyStart, Math.toIntExact(part.bodySize()))));
    }

    private MimeEntity navigate(List<Integer> path) {
        MimeEntity current = root;
        boolean asMessage = true;
        for (int n : path) {
            current = current.part(n, asMessage);
            if (current == null) {
                return null;
            }
            asMessage = false;
        }
        return current;
    }

    /** A section: a range of the message bytes or bytes built for the answer (HEADER.FIELDS, decoded BINARY). */
    private static final class Section {
        static final Section EMPTY = new Section(0, 0, new byte[0]);
        private final long offset;
        private final long length;
        private final byte[] built;

        private Section(long offset, long length, byte[] built) {
            this.offset = offset;
            this.length = length;
            this.built = built;
        }

        static Section range(long offset, long length) {
            return new Section(offset, Math.max(0, length), null);
        }

        static Section of(byte[] built) {
            return new Section(0, built.length, built);
        }

        long length() {
            return length;
        }

        void write(long from, long count, ResponseSink sink) throws IOException {
            if (count <= 0) {
                return;
            }
            if (built != null) {
                sink.bytes(built, (int) from, (int) count);
            } else {
                sink.range(offset + from, count);
            }
        }

        boolean containsNul(MessageBytes bytes) throws IOException {
            if (built != null) {
                for (byte b : built) {
                    if (b == 0) {
                        return true;
                    }
                }
                return false;
            }
            byte[] buffer = new byte[64 * 1024];
            try (var in = bytes.open(offset, length)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == 0) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    @Override
    public String toString() {
        return "InspectedView[" + bytes.length() + " bytes" + (bytes.isSpilled() ? ", spilled" : "") + "]";
    }
}
