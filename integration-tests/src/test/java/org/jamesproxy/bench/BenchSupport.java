package org.jamesproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the IMAP benchmarks share: the shipped actions and heap readings. */
final class BenchSupport {
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)}$");

    private BenchSupport() {
    }

    /** The mailets of a predefined action, as shipped. */
    static String predefined(String name) throws IOException {
        try (InputStream in = BenchSupport.class.getClassLoader()
            .getResourceAsStream("org/jamesproxy/config/predefined-proxy-actions.xml")) {
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher action = Pattern.compile("<action name=\"" + Pattern.quote(name) + "\">(.*?)</action>", Pattern.DOTALL)
                .matcher(xml);
            if (!action.find()) {
                throw new IllegalStateException("no predefined action " + name);
            }
            return action.group(1);
        }
    }

    /** Collects until the used heap stops moving (two readings within 1 MB), so the figure is live data only. */
    static long usedHeapAfterGc() {
        long previous = Long.MAX_VALUE;
        long used = usedHeap();
        for (int i = 0; i < 10 && Math.abs(previous - used) > 1024 * 1024; i++) {
            System.gc();
            previous = used;
            used = usedHeap();
        }
        return used;
    }

    static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Reads lines up to one starting with {@code prefix}, skipping the literals of the others. */
    static void readUntil(InputStream in, String prefix) throws IOException {
        while (true) {
            String line = readAsciiLine(in);
            if (line.startsWith(prefix)) {
                return;
            }
            Matcher literal = LITERAL.matcher(line);
            if (literal.find()) {
                in.skipNBytes(Long.parseLong(literal.group(1)));
            }
        }
    }

    /** One protocol line without its CRLF. */
    static String readAsciiLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        if (c == -1) {
            throw new IOException("connection closed after " + line);
        }
        return line.toString();
    }
}
