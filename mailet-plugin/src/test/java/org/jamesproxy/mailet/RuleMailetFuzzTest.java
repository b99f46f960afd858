package org.jamesproxy.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.mime.MimeSamples.CRLF;
import static org.jamesproxy.mime.MimeSamples.attachment;
import static org.jamesproxy.mime.MimeSamples.exe;
import static org.jamesproxy.mime.MimeSamples.message;
import static org.jamesproxy.mime.MimeSamples.multipartBody;
import static org.jamesproxy.mime.MimeSamples.multipartMessage;
import static org.jamesproxy.mime.MimeSamples.textPart;
import static org.jamesproxy.mime.MimeSamples.zip;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamesproxy.MessageFixtures;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.TestSignatures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mutated MIME fed to every rule mailet (and StripHeaders): whatever the bytes, {@code service} returns (findings, an
 * UNSCANNABLE verdict), never throws; each message allocates a bounded amount of memory. Bounded in count and time,
 * seeded so that a failure can be replayed (the seed and mutation are in the assertion message).
 */
class RuleMailetFuzzTest {
    @RegisterExtension
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    private static final long SEED = 20261206L;
    private static final int MESSAGES = 1500;
    private static final int SCANNED_MESSAGES = 150;
    private static final Duration TIME_BUDGET = Duration.ofSeconds(90);
    /** Per message: generous for a parse and a rewrite of a few kilobytes, far below what an unbounded decoder takes. */
    private static final long MAX_ALLOCATED_PER_MESSAGE = 48L * 1024 * 1024;

    private static final String[] TOKENS = {"\"", "=", "=\r\n", "= \r\n", "--b", "--b--", "--inner", "\r\n\r\n", ";", "\\",
        "boundary=", "boundary=\"b\"", "filename*0=", "filename*=utf-8''", "=?utf-8?b?", "?=", "\r\n ", "\r\n\t", ":", "\0",
        "Content-Type: multipart/mixed; boundary=b\r\n", "Content-Transfer-Encoding: base64\r\n", "begin 644 x.exe\r\n",
        "=ybegin line=128 size=68 name=x.com\r\n", "(This file must be converted with BinHex 4.0)\r\n", "PK\u0003\u0004",
        "Content-Type: message/rfc822\r\n", "*", "'", "<", "(", ")"};

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        entries.put("setup.exe", exe());
        seeds.add(multipartMessage("b", textPart("hi"),
            attachment(zip(entries), "Content-Type: application/zip; name=\"a.zip\"", "Content-Disposition: attachment; filename=\"a.zip\""),
            attachment(TestSignatures.eicar(), "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename*=utf-8''e%20icar.com")));
        seeds.add(message("Content-Type: multipart/mixed; boundary=\"b\"", multipartBody("b", textPart("outer"),
            "Content-Type: multipart/alternative; boundary=inner" + CRLF + CRLF
                + multipartBody("inner", textPart("plain"), "Content-Type: text/html" + CRLF + CRLF + "<p>html</p>"),
            "Content-Type: message/rfc822" + CRLF + CRLF + new String(MessageFixtures.MULTIPART, StandardCharsets.UTF_8))));
        seeds.add(message("Content-Type: text/plain; charset=utf-8" + CRLF + "Content-Transfer-Encoding: quoted-printable",
            "caf=C3=A9 =" + CRLF + "cr=C3=A8me" + CRLF + "begin 644 run.exe" + CRLF + "M35H`" + CRLF + "`" + CRLF + "end" + CRLF));
        seeds.add(MessageFixtures.SIMPLE);
        return seeds;
    }

    private static List<Mailet> mailets(boolean withClamd) throws Exception {
        List<Mailet> mailets = new ArrayList<>();
        mailets.add(init(new FilenameRules(), Map.of("rules", "*.exe, *.com = strip; * = allow", "onUnscannable", "deny")));
        mailets.add(init(new ContentTypeRules(), Map.of("rules", "application/x-msdownload = strip; */* = allow")));
        mailets.add(init(new HeaderRules(), Map.of("rules", "Subject ~ (?i)invoice = deny; Content-Type ~ (?i)name=.*\\.exe = deny")));
        mailets.add(init(new StripHeaders(), Map.of("patterns", "^X-Secret$,^Received$")));
        if (withClamd) {
            mailets.add(init(new AntivirusScan(), Map.of("host", clamd.host(), "port", String.valueOf(clamd.port()),
                "timeout", "10s", "onVirus", "strip")));
        }
        return mailets;
    }

    private static Mailet init(Mailet mailet, Map<String, String> parameters) throws Exception {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName(mailet.getClass().getSimpleName())
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    /** One to four mutations: token inserted, byte flipped, line deleted or duplicated, cut short. */
    static byte[] mutate(byte[] seed, Random random) {
        StringBuilder text = new StringBuilder(new String(seed, StandardCharsets.ISO_8859_1));
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations && text.length() > 0; i++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(5)) {
                case 0 -> text.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 1 -> text.setCharAt(at, (char) random.nextInt(256));
                case 2 -> {
                    int start = text.lastIndexOf("\n", at) + 1;
                    int end = text.indexOf("\n", at);
                    text.delete(start, end < 0 ? text.length() : end + 1);
                }
                case 3 -> {
                    int start = text.lastIndexOf("\n", at) + 1;
                    int end = text.indexOf("\n", at);
                    String line = text.substring(start, end < 0 ? text.length() : end + 1);
                    text.insert(start, line);
                }
                default -> text.setLength(at);
            }
        }
        return text.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void mutatedMimeNeverThrowsOutOfARuleMailet() throws Exception {
        run(mailets(false), MESSAGES, new Random(SEED));
    }

    @Test
    void mutatedMimeNeverThrowsOutOfAntivirusScan() throws Exception {
        run(mailets(true).subList(4, 5), SCANNED_MESSAGES, new Random(SEED + 1));
    }

    private static void run(List<Mailet> mailets, int count, Random random) throws Exception {
        List<byte[]> seeds = seeds();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
        int done = 0;
        int unscannable = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            byte[] mutated = mutate(seeds.get(i % seeds.size()), random);
            for (Mailet mailet : mailets) {
                Mail mail;
                try {
                    mail = FakeMail.builder().name("fuzz-" + i).mimeMessage(MessageFixtures.parse(mutated)).build();
                } catch (Exception e) {
                    // javax.mail did not even build the message: nothing reaches a mailet in that case.
                    continue;
                }
                long before = threads.getThreadAllocatedBytes(thread);
                try {
                    mailet.service(mail);
                } catch (Exception | StackOverflowError e) {
                    throw new AssertionError(mailet.getMailetInfo() + " threw on message " + i + " (seed " + SEED + "):\n"
                        + new String(mutated, StandardCharsets.ISO_8859_1), e);
                }
                long allocated = threads.getThreadAllocatedBytes(thread) - before;
                assertThat(allocated).as("bytes allocated by %s for message %d", mailet.getMailetInfo(), i)
                    .isLessThan(MAX_ALLOCATED_PER_MESSAGE);
                if (mail.getAttribute(org.jamesproxy.inspection.ProxyMailAttributes.VERDICT_REASON)
                    .map(attribute -> String.valueOf(attribute.getValue().value())).orElse("").startsWith("unscannable")) {
                    unscannable++;
                }
            }
            done++;
        }
        // The bound is on time too; a run that did almost nothing would prove nothing.
        assertThat(done).as("messages fuzzed within %s", TIME_BUDGET).isGreaterThanOrEqualTo(Math.min(count, 100));
        System.out.printf("fuzz: %d messages x %d mailets, %d unscannable verdicts%n", done, mailets.size(), unscannable);
    }
}
