package org.jamesproxy.it.engines;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.it.support.RawImap.literal;
import static org.jamesproxy.it.support.ViewFetchSamples.BIG;
import static org.jamesproxy.it.support.ViewFetchSamples.CLEAN;
import static org.jamesproxy.it.support.ViewFetchSamples.EICAR;
import static org.jamesproxy.it.support.ViewFetchSamples.EXE;
import static org.jamesproxy.it.support.ViewFetchSamples.assertNoThreat;
import static org.jamesproxy.it.support.ViewFetchSamples.defaultJavaMail;
import static org.jamesproxy.it.support.ViewFetchSamples.messages;
import static org.jamesproxy.it.support.ViewFetchSamples.raw;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.MimeMessage;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.utils.DataProbeImpl;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.engine.testing.ClamdDaemon;
import org.jamesproxy.engine.testing.TestMessages;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.MailClients;
import org.jamesproxy.it.support.ProxiedJames;
import org.jamesproxy.it.support.RawImap;
import org.jamesproxy.it.support.ViewFetchSamples;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 end to end: every way mainstream clients download mail is answered from the inspected message, against
 * the in-process James as upstream and a real clamd. javax.mail with its DEFAULT partial fetch (16 KiB) and with a
 * non-default size, a Thunderbird-shaped 64 KiB chunked loop, BODYSTRUCTURE + per-part {@code k.MIME}/{@code k},
 * {@code HEADER.FIELDS (... Content-Type)}, {@code BODY.PEEK[TEXT]}, curl's {@code SECTION=2}, sequence and UID forms,
 * pipelined commands, and the non-PEEK forms setting {@code \Seen} as James does. The EICAR attachment (named
 * invoice.pdf, so only clamd finds it) and a renamed .exe never reach the client in any shape; clean messages are
 * byte-identical to a direct fetch from James (policy {@code standard}) or to the proxy's own whole-message answer.
 * With clamd unreachable (policy {@code avdown}) every shape fails closed.
 */
@EndToEndTest
class ImapViewFetchEndToEndTest {
    @RegisterExtension
    @Order(1)
    static ClamdDaemon clamd = ClamdDaemon.withDefaults();

    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int SCAN_PLAIN = FreePorts.next();
    private static final int SCAN_TLS = FreePorts.next();
    private static final int STANDARD_PLAIN = FreePorts.next();
    private static final int STANDARD_TLS = FreePorts.next();
    private static final int DOWN_PLAIN = FreePorts.next();
    private static final int DOWN_TLS = FreePorts.next();
    /** Nothing listens there: clamd "down". */
    private static final int DEAD_CLAMD = FreePorts.next();

    private static final String FILENAME_RULES = "<mailet match=\"All\" class=\"org.jamesproxy.mailet.FilenameRules\">"
        + "<rules>*.exe, *.com, *.bat, *.scr = strip\n* = allow</rules><onUnscannable>deny</onUnscannable></mailet>";

    private static String antivirus(String host, int port) {
        return "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>" + host + "</host><port>" + port + "</port><timeout>20s</timeout>"
            + "<maxScanSize>10M</maxScanSize><onVirus>strip</onVirus></mailet>";
    }

    /** The mailets of a predefined action, as shipped (the standard scanning policy a new user starts with). */
    private static String predefined(String name) {
        try (InputStream in = ImapViewFetchEndToEndTest.class.getClassLoader()
            .getResourceAsStream("org/jamesproxy/config/predefined-proxy-actions.xml")) {
            String xml = new String(in.readAllBytes(), UTF_8);
            Matcher action = Pattern.compile("<action name=\"" + Pattern.quote(name) + "\">(.*?)</action>", Pattern.DOTALL)
                .matcher(xml);
            if (!action.find()) {
                throw new IllegalStateException("no predefined action " + name);
            }
            return action.group(1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @RegisterExtension
    @Order(2)
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JAMES.home(tmpDir.toPath())
            .proxy(JAMES.proxyToJames("scan", SCAN_PLAIN, SCAN_TLS)
                .proxyAction(ProxyAction.of("Scan", FILENAME_RULES + antivirus(clamd.host(), clamd.port())))
                .build())
            .proxy(JAMES.proxyToJames("standard", STANDARD_PLAIN, STANDARD_TLS)
                .proxyAction(ProxyAction.of("Standard", predefined("IMAP-Server.Standard")))
                .build())
            .proxy(JAMES.proxyToJames("avdown", DOWN_PLAIN, DOWN_TLS)
                .proxyAction(ProxyAction.of("ScanDown", antivirus("127.0.0.1", DEAD_CLAMD)))
                .build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @TempDir
    static Path tempDir;

    @BeforeAll
    static void provision(GuiceJamesServer server) throws Exception {
        server.getProbe(DataProbeImpl.class).fluent().addUser(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(messages(direct));
            inbox.close(false);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // javax.mail with its default settings (partialfetch true, 16 KiB), and a non-default size

    private static String allParts(Message message) throws Exception {
        return ViewFetchSamples.allParts(message, UnaryOperator.identity());
    }

    private void javaMailShapes(Integer fetchSize) throws Exception {
        Session session = defaultJavaMail(JAMES.clientSslContext(), fetchSize);
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", SCAN_TLS, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (int number : new int[] {EICAR, EXE}) {
                Message message = inbox.getMessage(number);
                String raw = raw(message);
                String parts = allParts(inbox.getMessage(number));
                assertNoThreat(raw);
                assertNoThreat(parts);
                assertThat(raw).doesNotContain("[Denied]");
                assertThat(message.getSize()).isEqualTo(raw.length());
            }
            Message big = inbox.getMessage(BIG);
            String bigRaw = raw(big);
            assertThat(allParts(inbox.getMessage(BIG))).contains("line of a large clean report");
            assertThat(big.getSize()).isEqualTo(bigRaw.length());
        }
    }

    @Test
    void javaMailWithItsDefaultPartialFetchShouldNeverSeeTheThreats() throws Exception {
        javaMailShapes(null);
    }

    @Test
    void javaMailWithANonDefaultFetchSizeShouldNeverSeeTheThreats() throws Exception {
        javaMailShapes(4096);
    }

    @Test
    void javaMailPartsOfACleanMultipartShouldBeWhatJamesHolds() throws Exception {
        Session session = defaultJavaMail(JAMES.clientSslContext(), null);
        String viaProxy;
        String direct;
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", STANDARD_TLS, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            viaProxy = raw(inbox.getMessage(CLEAN)) + allParts(inbox.getMessage(CLEAN));
        }
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", JAMES.jamesImaps, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            direct = raw(inbox.getMessage(CLEAN)) + allParts(inbox.getMessage(CLEAN));
        }
        assertThat(viaProxy).isEqualTo(direct).contains("nested body");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Raw IMAP: the shapes other clients use

    private static RawImap imap(int port) throws Exception {
        return new RawImap(JAMES.clientSslContext(), port, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
    }

    @Test
    void thunderbirdChunkedDownloadShouldReassembleTheInspectedMessage() throws Exception {
        try (RawImap imap = imap(SCAN_TLS).selected("EXAMINE")) {
            for (int uid : new int[] {EICAR, EXE, CLEAN, BIG}) {
                String chunked = imap.thunderbirdChunks(uid, 65536);
                String small = imap.thunderbirdChunks(uid, 1000);
                String whole = literal(imap.command("w UID FETCH " + uid + " BODY.PEEK[]").get(0));
                String size = imap.command("z UID FETCH " + uid + " RFC822.SIZE").get(0);

                assertNoThreat(chunked);
                assertThat(chunked).isEqualTo(whole).isEqualTo(small);
                assertThat(size).contains("RFC822.SIZE " + whole.length() + " ");
            }
        }
    }

    @Test
    void aChunkedWalkThroughAMailboxShouldGetTheMessagesReadAheadInspected() throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        Message[] samples = messages(direct);
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder walk = store.getFolder("Walk");
            walk.create(Folder.HOLDS_MESSAGES);
            walk.open(Folder.READ_WRITE);
            // Two clean ones first: the proxy reads ahead after the second, so the threats come from its read-ahead.
            walk.appendMessages(new Message[] {samples[CLEAN - 1], samples[BIG - 1], samples[EICAR - 1], samples[EXE - 1],
                samples[CLEAN - 1]});
            walk.close(false);
        }
        try (RawImap imap = imap(SCAN_TLS)) {
            assertThat(imap.command("s EXAMINE Walk")).last().asString().startsWith("s OK");
            List<String> walked = new java.util.ArrayList<>();
            for (int uid = 1; uid <= 5; uid++) {
                walked.add(imap.thunderbirdChunks(uid, 65536));
            }
            String wholeEicar = literal(imap.command("w UID FETCH 3 BODY.PEEK[]").get(0));

            walked.forEach(ViewFetchSamples::assertNoThreat);
            assertThat(walked.get(2)).as("what was read ahead is the inspected message").isEqualTo(wholeEicar)
                .contains("Subject: invoice attached");
            assertThat(walked.get(4)).isEqualTo(walked.get(0)).contains("nested body");
            assertThat(walked.get(1)).contains("Subject: big report", "filename=\"report.txt\"");
        }
    }

    @Test
    void cleanMultipartShouldReassembleByteIdenticalToADirectFetch() throws Exception {
        String direct;
        try (RawImap imap = imap(JAMES.jamesImaps).selected("EXAMINE")) {
            direct = literal(imap.command("d UID FETCH " + CLEAN + " BODY.PEEK[]").get(0));
        }
        try (RawImap imap = imap(STANDARD_TLS).selected("EXAMINE")) {
            assertThat(imap.thunderbirdChunks(CLEAN, 65536)).isEqualTo(direct);
            assertThat(imap.thunderbirdChunks(CLEAN, 100)).isEqualTo(direct);
        }
    }

    @Test
    void structureAndPartsShouldMatchTheBytesServed() throws Exception {
        try (RawImap proxy = imap(SCAN_TLS).selected("EXAMINE");
             RawImap direct = imap(JAMES.jamesImaps).selected("EXAMINE")) {
            for (int uid : new int[] {EICAR, EXE}) {
                String structure = proxy.command("b UID FETCH " + uid + " (BODYSTRUCTURE)").get(0);
                String mime = literal(proxy.command("m UID FETCH " + uid + " (BODY.PEEK[2.MIME])").get(0));
                String part = literal(proxy.command("p UID FETCH " + uid + " (BODY.PEEK[2])").get(0));

                assertNoThreat(part);
                assertThat(mime).doesNotContain("application/pdf", "application/octet-stream");
                assertThat(structure).doesNotContainIgnoringCase("\"APPLICATION\"");
                // The size BODYSTRUCTURE gives part 2 is the size served.
                assertThat(structure).contains(" " + part.length() + " ");
            }
            for (String item : new String[] {"BODY.PEEK[1]", "BODY.PEEK[2]", "BODY.PEEK[2.MIME]", "BODY.PEEK[2.HEADER]",
                "BODY.PEEK[2.1]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]<10.20>"}) {
                String viaProxy = proxy.command("c UID FETCH " + CLEAN + " (" + item + ")").get(0);
                String fromJames = direct.command("c UID FETCH " + CLEAN + " (" + item + ")").get(0);
                assertThat(literal(viaProxy)).as(item).isEqualTo(literal(fromJames));
            }
        }
    }

    @Test
    void headerListingShouldShowNoDeniedForCleanMultipartsAndComeFromTheInspectedMessage() throws Exception {
        try (RawImap imap = imap(STANDARD_TLS).selected("EXAMINE")) {
            List<String> listing = imap.command("h UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS "
                + "(From To Cc Subject Date Message-ID Content-Type)])");

            assertThat(listing).hasSize(5);
            assertThat(String.join("\n", listing)).doesNotContain("[Denied]", "X-JamesProxy-Denied")
                .contains("Subject: clean report", "Subject: big report", "multipart/mixed");
        }
        try (RawImap imap = imap(SCAN_TLS).selected("EXAMINE")) {
            String header = literal(imap.command("f UID FETCH " + EICAR + " (RFC822.HEADER)").get(0));
            String text = literal(imap.command("g UID FETCH " + EICAR + " (BODY.PEEK[TEXT])").get(0));
            String whole = literal(imap.command("w UID FETCH " + EICAR + " (BODY.PEEK[])").get(0));

            assertThat(header + text).isEqualTo(whole);
            assertNoThreat(text);
        }
    }

    @Test
    void sequenceNumberAndPipelinedFormsShouldBeAnsweredInOrder() throws Exception {
        try (RawImap imap = imap(SCAN_TLS).selected("EXAMINE")) {
            List<List<String>> answers = imap.pipelined("a FETCH 1 (BODY.PEEK[2])", "b NOOP",
                "c FETCH 2 (FLAGS BODY.PEEK[]<0.300>)", "d UID FETCH 1 (BODY.PEEK[2])");

            assertThat(answers.get(0).get(0)).startsWith("* 1 FETCH (BODY[2] {").doesNotContain("UID ");
            assertThat(answers.get(1)).last().asString().startsWith("b OK");
            assertThat(answers.get(2).get(0)).startsWith("* 2 FETCH (").contains("FLAGS (").doesNotContain("UID ");
            assertThat(literal(answers.get(3).get(0))).isEqualTo(literal(answers.get(0).get(0)));
            answers.forEach(responses -> assertNoThreat(String.join("\n", responses)));
        }
    }

    @Test
    void nonPeekFormsShouldSetSeenAsJamesDoesAndPeekFormsNot() throws Exception {
        try (RawImap imap = imap(SCAN_TLS).selected("SELECT")) {
            imap.command("u0 UID STORE " + BIG + " -FLAGS (\\Seen)");
            imap.command("p UID FETCH " + BIG + " (BODY.PEEK[1])");
            String afterPeek = imap.command("f1 UID FETCH " + BIG + " (FLAGS)").get(0);
            List<String> read = imap.command("r UID FETCH " + BIG + " (BODY[1]<0.10>)");
            String afterRead = imap.command("f2 UID FETCH " + BIG + " (FLAGS)").get(0);
            imap.command("u1 UID STORE " + BIG + " -FLAGS (\\Seen)");

            assertThat(afterPeek).doesNotContain("\\Seen");
            assertThat(read.get(0)).contains("BODY[1]<0> {10}");
            assertThat(String.join("\n", read)).contains("FLAGS (\\Seen");
            assertThat(afterRead).contains("\\Seen");
        }
    }

    @Test
    void nonPeekFetchOfAMessageThatCannotBeInspectedShouldLeaveItUnseen() throws Exception {
        try (RawImap imap = imap(DOWN_TLS).selected("SELECT")) {
            imap.command("u0 UID STORE " + CLEAN + " -FLAGS (\\Seen)");
            List<String> read = imap.command("r UID FETCH " + CLEAN + " (BODY[])");
            String flags = imap.command("f UID FETCH " + CLEAN + " (FLAGS)").get(0);

            assertThat(read).last().asString().startsWith("r NO [UNAVAILABLE]");
            assertThat(flags).doesNotContain("\\Seen");
        }
    }

    @Test
    void messageExpungedByAnotherSessionMeanwhileShouldGetNoContentAndTheSessionGoOn() throws Exception {
        Session direct = MailClients.imaps("localhost", JAMES.jamesImaps, JAMES.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(new Message[] {new MimeMessage(direct, new ByteArrayInputStream(
                TestMessages.text("soon gone", "this one will be expunged")))});
            int number = inbox.getMessageCount();
            try (RawImap proxy = imap(SCAN_TLS).selected("SELECT")) {
                inbox.getMessage(number).setFlag(javax.mail.Flags.Flag.DELETED, true);
                inbox.expunge();

                List<String> responses = proxy.command("x FETCH 1:" + number + " (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])");
                List<String> after = proxy.command("n NOOP");

                String all = String.join("\n", responses);
                assertThat(all).doesNotContain("soon gone").doesNotContain("expunged\r\n");
                assertThat(all).contains("Subject: clean report");
                assertThat(responses).last().asString().matches("x (OK|NO).*");
                assertThat(after).last().asString().startsWith("n OK");
                assertThat(all + String.join("\n", after)).contains(" EXPUNGE");
            }
            inbox.close(false);
        }
    }

    @Test
    void curlSectionFetchShouldGetTheInspectedPart() throws Exception {
        File caPem = JAMES.writeCaPem(tempDir).toFile();
        for (int uid : new int[] {EICAR, EXE}) {
            Process curl = new ProcessBuilder("curl", "--silent", "--show-error", "--max-time", "30",
                "--cacert", caPem.getAbsolutePath(), "--user", ProxiedJames.ALICE + ":" + ProxiedJames.PASSWORD,
                "imaps://localhost:" + SCAN_TLS + "/INBOX;UID=" + uid + ";SECTION=2")
                .redirectErrorStream(true)
                .start();
            String output = new String(curl.getInputStream().readAllBytes(), UTF_8);

            assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(curl.exitValue()).as(output).isZero();
            assertNoThreat(output);
            assertThat(output).isNotBlank();
        }
    }

    @Test
    void clamdDownShouldFailEveryShapeClosed() throws Exception {
        try (RawImap imap = imap(DOWN_TLS).selected("EXAMINE")) {
            for (String items : new String[] {"BODY.PEEK[]", "BODY.PEEK[]<0.65536>", "BODY.PEEK[2]", "BODY.PEEK[2.MIME]",
                "BODYSTRUCTURE", "RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (Subject Content-Type)]", "BODY.PEEK[TEXT]"}) {
                List<String> responses = imap.command("x UID FETCH " + EICAR + " (" + items + ")");

                assertThat(responses).as(items).last().asString().startsWith("x NO [UNAVAILABLE]");
                assertNoThreat(String.join("\n", responses));
                assertThat(String.join("\n", responses)).as(items).doesNotContain("invoice");
            }
        }
    }

    @Test
    void javaMailWithClamdDownShouldGetAnErrorNotTheVirus() throws Exception {
        Session session = defaultJavaMail(JAMES.clientSslContext(), null);
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", DOWN_TLS, ProxiedJames.ALICE, ProxiedJames.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message message = inbox.getMessage(EICAR);
            String seen;
            try {
                seen = raw(message);
            } catch (javax.mail.MessagingException e) {
                seen = "";
            }
            assertNoThreat(seen);
            assertThat(seen).doesNotContain("invoice.pdf");
        }
    }
}
