package org.jamesproxy.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import javax.mail.MessagingException;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;
import javax.mail.internet.MimeUtility;
import javax.mail.internet.SharedInputStream;
import javax.mail.util.SharedByteArrayInputStream;

import org.jamesproxy.mailet.action.PartPath;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Walks a message into {@link MimeItem}s: every leaf MIME part and, optionally, every entry of the ZIP archives found
 * in them (nested archives included), within {@link MimeLimits}. Does not modify the message.
 * <h2>Hostile MIME</h2>
 * The message is never modified. Where the most lenient mainstream reader's reading of a construction is well
 * defined, the scanner reads it that way (too), so that what any client can obtain is inspected: quoted-printable
 * soft breaks followed by blanks ({@link LenientQuotedPrintableInputStream}), a body that starts at a header line
 * that is no field and {@code Content-*} fields folded into another field ({@link HeaderSection}), types such as
 * {@code singlepart/mixed} or {@code x-multipart/mixed} with a boundary (read as a leaf and split), uuencode, yEnc
 * and BinHex files in text parts ({@link EmbeddedFiles}), names inside tar and gzip archives. Such items say so
 * ({@link MimeItem#isReadLeniently()}). Where readers disagree with no reading to prefer, the message is
 * unscannable ({@link UnscannableException}). What counts as ambiguous:
 * <ul>
 *   <li><b>several {@code boundary} parameters</b> with different values on a multipart (amavis CVE-2024-28054:
 *       the scanner used one, the client the other). Repeated identical values are harmless and accepted;</li>
 *   <li><b>several Content-Type header fields</b> with different values on one part;</li>
 *   <li><b>several Content-Transfer-Encoding header fields</b> with different values; an unknown transfer encoding;
 *       a multipart or {@code message/rfc822} part with a transfer encoding other than 7bit/8bit/binary (some readers
 *       decode it first, others ignore it);</li>
 *   <li><b>delimiter lines</b> that prefix-matching and strict parsers split differently, or delimiters after the
 *       close delimiter (see {@link MultipartSplitter});</li>
 *   <li><b>broken base64</b>: characters outside the alphabet (line breaks and blanks aside), data after the
 *       padding, a truncated quantum. Lenient decoders skip or stop differently, so the decoded content is not
 *       well defined. Checked on every part when types are detected, on archives when they are scanned;</li>
 *   <li>a nested multipart without its close delimiter (an enclosing boundary interleaved in it: outer-first and
 *       inner-first parsers see different parts);</li>
 *   <li>a {@code Content-*} field after a header line that is no field (the readings disagree on the part's type);</li>
 *   <li>a ZIP archive whose central directory and local headers disagree ({@link Archives});</li>
 *   <li>an unreadable or encrypted archive (its content cannot be inspected).</li>
 * </ul>
 * Conflicting filename parameters are <em>not</em> unscannable: every candidate name is kept ({@link Filenames}) and
 * rules match against all of them. A Content-Type that is not {@code type/subtype} is taken as
 * {@code application/octet-stream}; a part without one as {@code text/plain} (RFC 2045).
 * <p>
 * Part paths: multipart children are numbered from 0; the body of an attached {@code message/rfc822} is child 0 of
 * that part (see {@link PartPath}).
 */
public final class MimeScanner {
    /** What to read beyond the headers. */
    public static final class Options {
        private final boolean detectTypes;
        private final boolean detectEntryTypes;
        private final boolean scanArchives;

        private final ContentTypeDetector detector;
        private boolean keepContent;
        private boolean keepAllContent;

        /**
         * @param detectTypes run {@code detector} on leaf parts
         * @param detectEntryTypes run {@code detector} on archive entries
         */
        public Options(boolean detectTypes, boolean detectEntryTypes, boolean scanArchives, ContentTypeDetector detector) {
            this.detectTypes = detectTypes;
            this.detectEntryTypes = detectEntryTypes;
            this.scanArchives = scanArchives;
            this.detector = detector;
        }

        /** Names only, no content read. */
        public static Options namesOnly() {
            return new Options(false, false, false, ContentTypeDetector.forTypes(type -> false));
        }

        /**
         * For a virus scan: the decoded content, in {@link MimeItem#getContent()} (within maxDecodedSize), of the leaf
         * parts and embedded files read leniently ({@link MimeItem#isReadLeniently()}), or of all of them with
         * {@code all}. Every part is still decoded to its end, so broken base64 is unscannable.
         */
        public static Options keepingContent(boolean all) {
            Options options = new Options(false, false, false, ContentTypeDetector.forTypes(type -> false));
            options.keepContent = true;
            options.keepAllContent = all;
            return options;
        }

        /** Content is read for detection and archives; without detection only archives are decoded to their end. */
        boolean readsContent() {
            return detectTypes || scanArchives || keepContent;
        }
    }

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern TYPE = Pattern.compile("[^/\\s]+/[^/\\s]+");
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Set<String> IDENTITY_ENCODINGS = ImmutableSet.of("7bit", "8bit", "binary");
    private static final Set<String> DECODABLE_ENCODINGS = ImmutableSet.of("uuencode", "x-uuencode", "x-uue");

    private final MimeLimits limits;
    private final Options options;
    private final ContentTypeDetector detector;
    private final int headLength;

    public MimeScanner(MimeLimits limits, Options options) {
        this.limits = limits;
        this.options = options;
        this.detector = options.detector;
        boolean detects = (options.detectTypes || options.detectEntryTypes) && options.detector.size() > 0;
        // Without detection only archive signatures are looked at (tar's is at offset 257).
        this.headLength = Math.max(detects ? ContentTypeDetector.headLength() : 0, options.scanArchives ? Archives.SIGNATURE_LENGTH : 4);
    }

    /** Calls {@code visitor} for every item, in document order; stops at the first problem. */
    public void scan(MimeMessage message, Consumer<MimeItem> visitor) throws UnscannableException {
        new Walk(visitor).part(message, PartPath.ROOT, 0);
    }

    /** The state of one scan: counters shared by all levels. */
    private final class Walk {
        private final Consumer<MimeItem> visitor;
        private final DecodedBudget budget = new DecodedBudget(limits.getMaxDecodedSize());
        private byte[] sink;
        private int parts;
        private int entries;

        private Walk(Consumer<MimeItem> visitor) {
            this.visitor = visitor;
        }

        /** Allocated on first use: most small messages never drain anything. */
        private byte[] sink() {
            if (sink == null) {
                sink = new byte[16384];
            }
            return sink;
        }

        private void part(MimePart part, PartPath path, int depth) throws UnscannableException {
            try {
                walkPart(part, path, depth, false);
            } catch (MessagingException e) {
                throw new UnscannableException(path, "unparsable MIME structure: " + e.getMessage(), e);
            } catch (DecodedBudget.ExceededException e) {
                throw new UnscannableException(path, e.getMessage(), e);
            } catch (IOException e) {
                throw new UnscannableException(path, "unreadable content: " + e.getMessage(), e);
            }
        }

        /** @param lenient the part was found by a lenient reading (under a multipart-like type) */
        private void walkPart(MimePart part, PartPath path, int depth, boolean lenient) throws MessagingException, IOException, UnscannableException {
            if (++parts > limits.getMaxParts()) {
                throw new UnscannableException(path, "more than maxParts (" + limits.getMaxParts() + ") MIME parts");
            }
            HeaderSection header = HeaderSection.of(part, path, path.isRoot(), limits.getMaxHeaderSize());
            String contentType = single(header.contentTypes(), "Content-Type", path).orElse("text/plain");
            HeaderParameters parameters = HeaderParameters.parse(contentType);
            String type = TYPE.matcher(parameters.getValue()).matches() ? parameters.getValue().toLowerCase(Locale.US) : "application/octet-stream";
            String encoding = single(header.encodings(), "Content-Transfer-Encoding", path).map(value -> value.trim().toLowerCase(Locale.US)).orElse("7bit");
            if (type.startsWith("multipart/")) {
                enter(path, depth, encoding, type);
                multipart(body(part, header), parameters, path, depth, lenient || header.isLenient(), false);
            } else if (type.equals("message/rfc822") || type.equals("message/global")) {
                enter(path, depth, encoding, type);
                MimeMessage embedded = new MimeMessage(SESSION, body(part, header));
                walkPart(embedded, path.child(0), depth + 1, lenient || header.isLenient());
            } else {
                // What a standard MIME reader (clamd's included) may not decode the same way: the lenient readings,
                // quoted-printable (decoders differ on soft breaks), the pre-MIME encodings.
                boolean readLeniently = lenient || header.isLenient() || !(IDENTITY_ENCODINGS.contains(encoding) || encoding.equals("base64"));
                leaf(body(part, header), header, path, type, encoding, readLeniently);
                if (!parameters.decoded("boundary").isEmpty() && IDENTITY_ENCODINGS.contains(encoding)) {
                    // singlepart/mixed, x-multipart/mixed, ...: readers that go by the boundary parameter split it.
                    enter(path, depth, encoding, type);
                    multipart(body(part, header), parameters, path, depth, true, true);
                }
            }
        }

        private void enter(PartPath path, int depth, String encoding, String type) throws UnscannableException {
            if (depth + 1 > limits.getMaxDepth()) {
                throw new UnscannableException(path, "MIME nesting deeper than maxDepth (" + limits.getMaxDepth() + ")");
            }
            if (!IDENTITY_ENCODINGS.contains(encoding)) {
                throw new UnscannableException(path, "a " + type + " part in transfer encoding '" + encoding + "'");
            }
        }

        /**
         * @param lenient the parts are read leniently
         * @param optional a part of another type with a boundary: without any delimiter it is just that leaf
         */
        private void multipart(InputStream raw, HeaderParameters parameters, PartPath path, int depth, boolean lenient, boolean optional)
            throws MessagingException, IOException, UnscannableException {
            List<String> boundaries = parameters.decoded("boundary");
            if (boundaries.isEmpty()) {
                throw new UnscannableException(path, "multipart without boundary parameter");
            }
            if (boundaries.size() > 1) {
                throw new UnscannableException(path, "several different boundary parameters: " + boundaries.stream()
                    .map(boundary -> "'" + boundary + "'").collect(Collectors.joining(", ")));
            }
            SharedInputStream body = shared(raw);
            List<MultipartSplitter.Span> spans;
            try {
                spans = MultipartSplitter.split(body, boundaries.get(0), path, depth > 0);
            } catch (MultipartSplitter.NoDelimiterException e) {
                if (optional) {
                    return;
                }
                throw e;
            }
            for (int i = 0; i < spans.size(); i++) {
                MultipartSplitter.Span span = spans.get(i);
                walkPart(new MimeBodyPart(body.newStream(span.start, span.end)), path.child(i), depth + 1, lenient);
            }
        }

        /** The raw body in the lenient reading: from the first line that is no header field when there is one. */
        private InputStream body(MimePart part, HeaderSection header) throws MessagingException, IOException {
            InputStream raw = rawStream(part);
            if (header.bodyPrefix().isEmpty()) {
                return raw;
            }
            byte[] prefix = header.bodyPrefix().get();
            byte[] rest = raw.readAllBytes();
            byte[] whole = new byte[prefix.length + rest.length];
            System.arraycopy(prefix, 0, whole, 0, prefix.length);
            System.arraycopy(rest, 0, whole, prefix.length, rest.length);
            return new SharedByteArrayInputStream(whole);
        }

        /** The body as a shared stream, so parts are views of it rather than copies. */
        private SharedInputStream shared(InputStream raw) throws IOException {
            if (raw instanceof SharedInputStream) {
                return (SharedInputStream) raw;
            }
            // Only when the message was not built from a shared stream; the body is in memory already.
            return new SharedByteArrayInputStream(raw.readAllBytes());
        }

        private void leaf(InputStream raw, HeaderSection header, PartPath path, String type, String encoding, boolean readLeniently)
            throws MessagingException, IOException, UnscannableException {
            List<String> filenames = Filenames.of(header.dispositions(), header.contentTypes());
            boolean text = type.startsWith("text/");
            if (!options.readsContent() && !text) {
                visitor.accept(new MimeItem(path, List.of(), filenames, Optional.of(type), List.of()));
                return;
            }
            try (InputStream decoded = decode(raw, encoding, path)) {
                InputStream counted = budget.count(decoded);
                if (options.keepContent && (readLeniently || options.keepAllContent) || text) {
                    // Text parts are read whole for the files embedded in them (uuencode, yEnc, BinHex).
                    byte[] content = counted.readAllBytes();
                    byte[] head = Arrays.copyOf(content, Math.min(headLength, content.length));
                    List<String> detected = options.detectTypes ? detector.detect(head) : List.of();
                    visitor.accept(new MimeItem(path, List.of(), filenames, Optional.of(type), detected,
                        options.keepContent && (readLeniently || options.keepAllContent) ? Optional.of(content) : Optional.empty(),
                        readLeniently, Optional.empty()));
                    if (options.scanArchives && Archives.isArchive(head)) {
                        archive(content, path, ImmutableList.of(), 1);
                    }
                    if (text) {
                        embedded(content, path);
                    }
                    return;
                }
                byte[] head = counted.readNBytes(headLength);
                InputStream content = rejoin(head, counted);
                List<String> detected = options.detectTypes ? detector.detect(head) : List.of();
                visitor.accept(new MimeItem(path, List.of(), filenames, Optional.of(type), detected));
                if (options.scanArchives && Archives.isArchive(head)) {
                    archive(content.readAllBytes(), path, ImmutableList.of(), 1);
                } else if (options.detectTypes || options.keepContent) {
                    // Detection and virus scans vouch for the whole part: decode it all, so broken base64 anywhere is
                    // caught (lenient decoders would each read something else).
                    drain(content, sink());
                }
            } catch (DecodedBudget.ExceededException e) {
                throw new UnscannableException(path, e.getMessage(), e);
            } catch (IOException e) {
                throw new UnscannableException(path, "undecodable " + encoding + " content: " + e.getMessage(), e);
            }
        }

        /** uuencode, yEnc and BinHex blocks of a text part: items of their own, with the name the block gives. */
        private void embedded(byte[] text, PartPath path) throws IOException, UnscannableException {
            List<EmbeddedFiles.File> files;
            try {
                files = EmbeddedFiles.find(text, limits.getMaxDecodedSize());
            } catch (EmbeddedFiles.TooLargeException e) {
                throw new UnscannableException(path, e.getMessage(), e);
            }
            for (EmbeddedFiles.File file : files) {
                byte[] content = budget.count(new ByteArrayInputStream(file.content)).readAllBytes();
                byte[] head = Arrays.copyOf(content, Math.min(headLength, content.length));
                List<String> detected = options.detectTypes || options.detectEntryTypes ? detector.detect(head) : List.of();
                visitor.accept(new MimeItem(path, List.of(), Filenames.withVariants(List.of(file.name)), Optional.empty(), detected,
                    options.keepContent ? Optional.of(content) : Optional.empty(), true, Optional.of(file.kind.word())));
                if (options.scanArchives && Archives.isArchive(head)) {
                    archive(content, path, ImmutableList.of(file.name), 1);
                }
            }
        }

        /** ZIP, gzip or tar content: its entries become items (names, types), nested archives included. */
        private void archive(byte[] content, PartPath path, ImmutableList<String> parents, int depth)
            throws IOException, UnscannableException {
            if (depth > limits.getMaxArchiveDepth()) {
                throw new UnscannableException(path, "archives nested deeper than maxArchiveDepth (" + limits.getMaxArchiveDepth() + ")"
                    + (parents.isEmpty() ? "" : " at " + String.join("/", parents)));
            }
            String where = (Archives.isZip(content) ? " ZIP" : Archives.isGzip(content) ? " gzip" : " tar") + " archive"
                + (parents.isEmpty() ? "" : " " + String.join("/", parents));
            try {
                if (Archives.isZip(content)) {
                    zip(content, path, parents, depth);
                } else if (Archives.isGzip(content)) {
                    gzip(content, path, parents, depth);
                } else if (Archives.isTar(content)) {
                    tar(new ByteArrayInputStream(content), path, parents, depth);
                }
            } catch (DecodedBudget.ExceededException e) {
                throw new UnscannableException(path, e.getMessage(), e);
            } catch (IOException | IllegalArgumentException e) {
                throw new UnscannableException(path, "unreadable or encrypted" + where + ": " + e.getMessage(), e);
            }
        }

        private void zip(byte[] content, PartPath path, ImmutableList<String> parents, int depth) throws IOException, UnscannableException {
            // Names without the UTF-8 flag are read as ISO-8859-1, which never fails: the extension stays readable.
            ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(content), StandardCharsets.ISO_8859_1);
            List<Archives.Entry> local = new ArrayList<>();
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                long size = entry(entry.getName(), entry.isDirectory(), budget.count(zip), path, parents, depth);
                local.add(new Archives.Entry(entry.getName(), size, entry.getCompressedSize()));
            }
            Optional<String> mismatch = Archives.compareCentralDirectory(content, local);
            if (mismatch.isPresent()) {
                throw new UnscannableException(path, "ZIP archive" + (parents.isEmpty() ? "" : " " + String.join("/", parents))
                    + " whose central directory and local headers disagree: " + mismatch.get());
            }
        }

        private void gzip(byte[] content, PartPath path, ImmutableList<String> parents, int depth) throws IOException, UnscannableException {
            GzipCompressorInputStream gzip = new GzipCompressorInputStream(new ByteArrayInputStream(content), true);
            byte[] inner = budget.count(gzip).readAllBytes();
            String name = Optional.ofNullable(gzip.getMetaData().getFilename()).filter(value -> !value.isBlank()).orElse("");
            if (!name.isEmpty()) {
                ImmutableList<String> entryPath = ImmutableList.<String>builder().addAll(parents).add(name).build();
                countEntry(path);
                byte[] head = Arrays.copyOf(inner, Math.min(headLength, inner.length));
                visitor.accept(new MimeItem(path, entryPath, Filenames.ofEntry(name), Optional.empty(), entryTypes(head)));
            }
            if (Archives.isTar(inner) || Archives.isZip(inner) || Archives.isGzip(inner)) {
                archive(inner, path, name.isEmpty() ? parents : ImmutableList.<String>builder().addAll(parents).add(name).build(), depth + 1);
            }
        }

        private void tar(InputStream content, PartPath path, ImmutableList<String> parents, int depth) throws IOException, UnscannableException {
            TarArchiveInputStream tar = new TarArchiveInputStream(content, StandardCharsets.ISO_8859_1.name());
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                entry(entry.getName(), entry.isDirectory() || !entry.isFile(), budget.count(tar), path, parents, depth);
            }
        }

        /** One archive entry: an item, and its content read (counted) for detection and nested archives. */
        private long entry(String name, boolean directory, InputStream counted, PartPath path, ImmutableList<String> parents, int depth)
            throws IOException, UnscannableException {
            countEntry(path);
            byte[] data = counted.readAllBytes();
            if (directory) {
                return data.length;
            }
            ImmutableList<String> entryPath = ImmutableList.<String>builder().addAll(parents).add(name).build();
            byte[] head = Arrays.copyOf(data, Math.min(headLength, data.length));
            visitor.accept(new MimeItem(path, entryPath, Filenames.ofEntry(name), Optional.empty(), entryTypes(head)));
            if (Archives.isZip(data) || Archives.isGzip(data) || Archives.isTar(data)) {
                archive(data, path, entryPath, depth + 1);
            }
            return data.length;
        }

        private void countEntry(PartPath path) throws UnscannableException {
            if (++entries > limits.getMaxArchiveEntries()) {
                throw new UnscannableException(path, "more than maxArchiveEntries (" + limits.getMaxArchiveEntries() + ") archive entries");
            }
        }

        private List<String> entryTypes(byte[] head) {
            return options.detectEntryTypes ? detector.detect(head) : List.of();
        }

        /** The header's value when all its fields agree (compared unfolded, blanks collapsed, case-insensitively). */
        private Optional<String> single(List<String> values, String name, PartPath path) throws UnscannableException {
            if (values.isEmpty()) {
                return Optional.empty();
            }
            if (values.size() == 1) {
                return Optional.of(values.get(0));
            }
            List<String> distinct = values.stream()
                .map(value -> BLANKS.matcher(value).replaceAll(" ").trim().toLowerCase(Locale.US))
                .distinct()
                .collect(Collectors.toList());
            if (distinct.size() > 1) {
                throw new UnscannableException(path, "several different " + name + " header fields");
            }
            return Optional.of(values.get(0));
        }

        private InputStream decode(InputStream raw, String encoding, PartPath path) throws MessagingException, UnscannableException {
            if (IDENTITY_ENCODINGS.contains(encoding)) {
                return raw;
            }
            if (encoding.equals("base64")) {
                return new StrictBase64InputStream(raw);
            }
            if (encoding.equals("quoted-printable")) {
                return new LenientQuotedPrintableInputStream(raw);
            }
            if (DECODABLE_ENCODINGS.contains(encoding)) {
                return MimeUtility.decode(raw, encoding);
            }
            throw new UnscannableException(path, "unknown transfer encoding '" + encoding + "'");
        }
    }

    private static InputStream rawStream(MimePart part) throws MessagingException {
        if (part instanceof MimeMessage) {
            return ((MimeMessage) part).getRawInputStream();
        }
        if (part instanceof MimeBodyPart) {
            return ((MimeBodyPart) part).getRawInputStream();
        }
        throw new MessagingException("unsupported part class " + part.getClass().getName());
    }

    /** The content again from its start, the head being already read from {@code rest}. */
    private InputStream rejoin(byte[] head, InputStream rest) {
        ByteArrayInputStream headStream = new ByteArrayInputStream(head);
        return head.length < headLength ? headStream : new SequenceInputStream(headStream, rest);
    }

    private static void drain(InputStream content, byte[] sink) throws IOException {
        while (content.read(sink) >= 0) {
            // Reading to the end decodes (and so validates and counts) everything.
        }
    }
}
