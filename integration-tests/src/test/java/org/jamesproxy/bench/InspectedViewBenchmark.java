package org.jamesproxy.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.jamesproxy.imap.view.FetchRequest;
import org.jamesproxy.imap.view.InspectedView;
import org.jamesproxy.imap.view.MessageBytes;
import org.jamesproxy.imap.view.ViewItem;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Micro-benchmark of the inspected view alone (no server, one thread): parsing a large message once, then answering
 * a Thunderbird-shaped chunked download ({@code BODY.PEEK[]<k*64K.64K>} until a short chunk) and a per-part chunked
 * download ({@code BODY.PEEK[2]<...>}), from memory and from a spill file. Prints MB/s of literal bytes written.
 * Properties: {@code bench.size} (10 MB), {@code bench.window} (65536), {@code bench.rounds} (20).
 */
public final class InspectedViewBenchmark {
    private InspectedViewBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int size = Integer.getInteger("bench.size", 10 * 1024 * 1024);
        int window = Integer.getInteger("bench.window", 65536);
        int rounds = Integer.getInteger("bench.rounds", 20);
        byte[] message = message(size);
        System.out.printf("message: %,d bytes, window %,d, %d rounds%n", message.length, window, rounds);

        MessageBytes inMemoryBytes = MessageBytes.inMemory(message);
        Path file = Files.createTempFile("view-bench-", ".eml");
        Files.write(file, message);
        MessageBytes spilledBytes = MessageBytes.spilled(file);
        InspectedView inMemory = parse("in memory", inMemoryBytes);
        InspectedView spilled = parse("spill file", spilledBytes);

        for (String item : List.of("BODY.PEEK[]", "BODY.PEEK[2]")) {
            run("memory " + item, inMemory, item, window, rounds);
            run("spill  " + item, spilled, item, window, rounds);
        }
        spilledBytes.release();
    }

    /** Best of five parses (the first ones warm the JIT up). */
    private static InspectedView parse(String label, MessageBytes bytes) {
        InspectedView view = null;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            view = InspectedView.of(bytes);
            best = Math.min(best, (System.nanoTime() - start) / 1e6);
        }
        System.out.printf("parse (%s): %.1f ms%n", label, best);
        return view;
    }

    private static void run(String label, InspectedView view, String item, int window, int rounds) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(window + 256);
        long bytes = 0;
        long windows = 0;
        chunked(view, item, window, out); // warm-up
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            long[] result = chunked(view, item, window, out);
            bytes += result[0];
            windows += result[1];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-22s %8.1f MB/s  %,10.0f windows/s  %.1f us/window%n", label, bytes / seconds / 1e6,
            windows / seconds, seconds * 1e6 / windows);
        out.release();
    }

    /** One chunked download; returns {bytes, windows}. */
    private static long[] chunked(InspectedView view, String item, int window, ByteBuf out) {
        long total = 0;
        long windows = 0;
        for (long origin = 0; ; origin += window) {
            List<ViewItem> items = FetchRequest.parse(item + "<" + origin + "." + window + ">").viewItems();
            out.clear();
            view.writeItems(items, out);
            windows++;
            int written = out.readableBytes();
            total += written;
            if (written < window) {
                return new long[] {total, windows};
            }
        }
    }

    /** A text part and one base64 attachment filling the size. */
    private static byte[] message(int size) {
        StringBuilder text = new StringBuilder(size + 1024);
        text.append("From: bench@example.org\r\nSubject: bench\r\nMIME-Version: 1.0\r\n")
            .append("Content-Type: multipart/mixed; boundary=\"bench\"\r\n\r\n--bench\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
            .append("--bench\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        Random random = new Random(1);
        int column = 0;
        while (text.length() < size - 16) {
            text.append(alphabet.charAt(random.nextInt(64)));
            if (++column == 76) {
                text.append("\r\n");
                column = 0;
            }
        }
        text.append("\r\n--bench--\r\n");
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
