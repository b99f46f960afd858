package org.jamesproxy.it.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamesproxy.it.support.RawImap.literal;
import static org.jamesproxy.it.support.ViewFetchSamples.BIG;
import static org.jamesproxy.it.support.ViewFetchSamples.CLEAN;
import static org.jamesproxy.it.support.ViewFetchSamples.CLEAN_PART;
import static org.jamesproxy.it.support.ViewFetchSamples.EICAR;
import static org.jamesproxy.it.support.ViewFetchSamples.EICAR_BASE64;
import static org.jamesproxy.it.support.ViewFetchSamples.EXE;
import static org.jamesproxy.it.support.ViewFetchSamples.assertNoThreat;
import static org.jamesproxy.it.support.ViewFetchSamples.defaultJavaMail;
import static org.jamesproxy.it.support.ViewFetchSamples.messages;
import static org.jamesproxy.it.support.ViewFetchSamples.raw;

import java.io.Reader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;
import javax.mail.internet.ContentType;
import javax.mail.internet.ParameterList;
import javax.mail.internet.ParseException;

import org.apache.commons.net.pop3.POP3SClient;
import org.jamesproxy.demo.ProxyAction;
import org.jamesproxy.demo.ProxySettings;
import org.jamesproxy.it.support.Pop3Logins;
import org.jamesproxy.it.support.RawImap;
import org.jamesproxy.it.support.ViewFetchSamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.io.CharStreams;

/**
 * Issue 11 against Dovecot: the inspected-view FETCH path of the stock James container with the drop-in jar, in front
 * of Debian's Dovecot, with FilenameRules stripping a renamed .exe and AntivirusScan against clamd in its own
 * container. The shapes of ImapViewFetchEndToEndTest (javax.mail's default 16 KiB partial fetch and a 4 KiB one,
 * Thunderbird's 64 KiB chunks, BODYSTRUCTURE + {@code k.MIME}/{@code k}, the HEADER.FIELDS listing, non-PEEK \Seen,
 * sequence numbers, pipelining), each checked against what Dovecot itself answers to the same client: Dovecot
 * orders FETCH items, places UID and sends untagged FLAGS differently from James, which is what this class is for.
 * The same action on a POP3 policy checks the POP3 form of a partial retrieval against Dovecot: TOP.
 */
@ContainerTest
class ImapViewFetchDovecotContainerTest {
    private static final int SCAN_PLAIN = ContainerPorts.next();
    private static final int SCAN_TLS = ContainerPorts.next();
    private static final int POP3_SCAN_PLAIN = ContainerPorts.next();
    private static final int POP3_SCAN_TLS = ContainerPorts.next();

    @TempDir
    static Path home;

    private static ClamdContainer clamd;
    private static ContainerMailStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        clamd = new ClamdContainer();
        clamd.start();
        stack = ContainerMailStack.start(home, ImapViewFetchDovecotContainerTest::policies);
        provision();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
        if (clamd != null) {
            clamd.close();
        }
    }

    /**
     * One scanning policy: the .exe is stripped by name, EICAR (named invoice.pdf, so only clamd finds it) by the
     * antivirus. No X-Virus-* headers, so a clean message passes unchanged and must come back byte for byte.
     */
    private static List<ProxySettings> policies(ContainerMailStack stack) {
        String actions = "<mailet match=\"All\" class=\"org.jamesproxy.mailet.FilenameRules\">"
            + "<rules>*.exe, *.com, *.bat, *.scr = strip\n* = allow</rules><onUnscannable>deny</onUnscannable></mailet>"
            + "<mailet match=\"All\" class=\"org.jamesproxy.mailet.AntivirusScan\">"
            + "<host>127.0.0.1</host><port>" + clamd.port() + "</port><timeout>20s</timeout>"
            + "<maxScanSize>10M</maxScanSize><onVirus>strip</onVirus><addHeaders>false</addHeaders></mailet>";
        return List.of(
            scanning(ProxySettings.imap("imap-scan"), stack, SCAN_PLAIN, SCAN_TLS)
                .upstream("localhost", stack.dovecot.imapsPort(), "implicit")
                .proxyAction(ProxyAction.of("Scan", actions))
                .build(),
            scanning(ProxySettings.pop3("pop3-scan"), stack, POP3_SCAN_PLAIN, POP3_SCAN_TLS)
                .upstream("localhost", stack.dovecot.pop3sPort(), "implicit")
                .proxyAction(ProxyAction.of("ScanPop3", actions))
                .build());
    }

    private static ProxySettings.Builder scanning(ProxySettings.Builder builder, ContainerMailStack stack, int plain, int tls) {
        return builder.tlsSupport("enabled")
            .bind("127.0.0.1:" + plain)
            .tlsBind("127.0.0.1:" + tls)
            .proxyCertificate(stack.localhostCertificate())
            .upstreamTrust(stack.ca.certificate())
            .expectedHostName("localhost");
    }

    /** The four messages, appended straight to Dovecot. */
    private static void provision() throws Exception {
        Session direct = javaMail(null);
        try (Store store = direct.getStore("imaps")) {
            store.connect("localhost", stack.dovecot.imapsPort(), ContainerMailStack.USER, ContainerMailStack.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.appendMessages(messages(direct));
            assertThat(inbox.getMessageCount()).as("a fresh Dovecot INBOX").isEqualTo(4);
            inbox.close(false);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // javax.mail with its default settings (partialfetch true, 16 KiB), and a non-default size

    private static Session javaMail(Integer fetchSize) throws Exception {
        return defaultJavaMail(stack.clientTrust(), fetchSize);
    }

    private static String allParts(Message message) throws Exception {
        return ViewFetchSamples.allParts(message, ImapViewFetchDovecotContainerTest::normalized);
    }

    /**
     * javax.mail takes a part's type from BODYSTRUCTURE, where Dovecot and the proxy's view (which renders as James
     * does) differ in what carries no meaning: Dovecot spells the type as the message does ("text" "plain"), the view
     * in capitals ("TEXT" "PLAIN"); Dovecot appends a default charset after the message's parameters, the view puts
     * it first. So: the base type in lower case, then the parameters sorted by name.
     */
    private static String normalized(String contentType) {
        ContentType type;
        try {
            type = new ContentType(contentType);
        } catch (ParseException e) {
            throw new AssertionError("unparsable content type " + contentType, e);
        }
        ParameterList parameters = type.getParameterList() == null ? new ParameterList() : type.getParameterList();
        List<String> names = new ArrayList<>();
        for (Enumeration<String> e = parameters.getNames(); e.hasMoreElements(); ) {
            names.add(e.nextElement().toLowerCase(Locale.ROOT));
        }
        Collections.sort(names);
        StringBuilder text = new StringBuilder(type.getBaseType().toLowerCase(Locale.ROOT));
        names.forEach(name -> text.append("; ").append(name).append('=').append(parameters.get(name)));
        return text.toString();
    }

    /** A FETCH response without its UID item: Dovecot puts UID first, the proxy where the client put it. */
    private static String withoutUid(String response) {
        return response.replaceFirst(" ?\\bUID \\d+ ?", " ").replace("( ", "(").replace(" )", ")");
    }

    /** Whole message and every part of each message, through the proxy then straight from Dovecot. */
    private static List<String> javaMailReads(int port, Integer fetchSize) throws Exception {
        List<String> reads = new ArrayList<>();
        try (Store store = javaMail(fetchSize).getStore("imaps")) {
            store.connect("localhost", port, ContainerMailStack.USER, ContainerMailStack.PASSWORD);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            for (int number : new int[] {EICAR, EXE, CLEAN, BIG}) {
                Message message = inbox.getMessage(number);
                String raw = raw(message);
                assertThat(message.getSize()).as("RFC822.SIZE of message " + number).isEqualTo(raw.length());
                reads.add(raw + allParts(inbox.getMessage(number)));
            }
        }
        return reads;
    }

    private void javaMailShapes(Integer fetchSize) throws Exception {
        List<String> viaProxy = javaMailReads(SCAN_TLS, fetchSize);
        List<String> direct = javaMailReads(stack.dovecot.imapsPort(), fetchSize);

        assertThat(direct.get(EICAR - 1)).as("Dovecot holds the EICAR file").contains(EICAR_BASE64);
        assertThat(direct.get(EXE - 1)).as("Dovecot holds the .exe").contains("setup.exe");
        for (int number : new int[] {EICAR, EXE}) {
            assertNoThreat(viaProxy.get(number - 1));
            assertThat(viaProxy.get(number - 1)).doesNotContain("[Denied]");
        }
        assertThat(viaProxy.get(EICAR - 1)).as("clamd named what it found").contains("Eicar-Test-Signature");
        // allParts lists "content type|file name|": the .exe part is replaced by the strip notice (a text part).
        assertThat(viaProxy.get(EXE - 1)).contains("|setup.exe.txt|", "The mail proxy stripped this content")
            .doesNotContain("|setup.exe|");
        assertThat(viaProxy.get(CLEAN - 1)).isEqualTo(direct.get(CLEAN - 1)).contains("nested body");
        assertThat(viaProxy.get(BIG - 1)).isEqualTo(direct.get(BIG - 1)).contains("line of a large clean report");
    }

    @Test
    void javaMailWithItsDefaultPartialFetchShouldNeverSeeTheThreatsAndReadCleanMailAsDovecotHoldsIt() throws Exception {
        javaMailShapes(null);
    }

    @Test
    void javaMailWithA4KiBFetchSizeShouldNeverSeeTheThreatsAndReadCleanMailAsDovecotHoldsIt() throws Exception {
        javaMailShapes(4096);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Raw IMAP: the shapes other clients use

    private static RawImap imap(int port) throws Exception {
        return new RawImap(stack.clientTrust(), port, ContainerMailStack.USER, ContainerMailStack.PASSWORD);
    }

    @Test
    void thunderbirdChunkedDownloadShouldReassembleTheInspectedMessage() throws Exception {
        try (RawImap proxy = imap(SCAN_TLS).selected("EXAMINE");
             RawImap direct = imap(stack.dovecot.imapsPort()).selected("EXAMINE")) {
            for (int uid : new int[] {EICAR, EXE, CLEAN, BIG}) {
                String chunked = proxy.thunderbirdChunks(uid, 65536);
                String small = proxy.thunderbirdChunks(uid, 1000);
                String whole = literal(proxy.command("w UID FETCH " + uid + " BODY.PEEK[]").get(0));
                String size = proxy.command("z UID FETCH " + uid + " RFC822.SIZE").get(0);

                assertNoThreat(chunked);
                assertThat(chunked).as("uid " + uid).isEqualTo(whole).isEqualTo(small);
                assertThat(size).contains("RFC822.SIZE " + whole.length());
            }
            for (int uid : new int[] {CLEAN, BIG}) {
                String fromDovecot = direct.thunderbirdChunks(uid, 65536);
                assertThat(proxy.thunderbirdChunks(uid, 65536)).as("uid " + uid).isEqualTo(fromDovecot);
                assertThat(proxy.thunderbirdChunks(uid, 100)).as("uid " + uid).isEqualTo(fromDovecot);
            }
        }
    }

    @Test
    void structureAndPartsShouldMatchTheBytesServed() throws Exception {
        try (RawImap proxy = imap(SCAN_TLS).selected("EXAMINE");
             RawImap direct = imap(stack.dovecot.imapsPort()).selected("EXAMINE")) {
            for (int uid : new int[] {EICAR, EXE}) {
                String structure = proxy.command("b UID FETCH " + uid + " (BODYSTRUCTURE)").get(0);
                String mime = literal(proxy.command("m UID FETCH " + uid + " (BODY.PEEK[2.MIME])").get(0));
                String part = literal(proxy.command("p UID FETCH " + uid + " (BODY.PEEK[2])").get(0));

                assertNoThreat(part);
                assertThat(mime).doesNotContain("application/pdf", "application/octet-stream");
                assertThat(structure).doesNotContainIgnoringCase("\"APPLICATION\"");
                assertThat(structure).as("BODYSTRUCTURE gives part 2 the size served").contains(" " + part.length() + " ");
            }
            for (String item : new String[] {"BODY.PEEK[1]", "BODY.PEEK[2]", "BODY.PEEK[2.MIME]", "BODY.PEEK[2.HEADER]",
                "BODY.PEEK[2.1]", "BODY.PEEK[2.TEXT]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]<10.20>"}) {
                String viaProxy = proxy.command("c UID FETCH " + CLEAN + " (" + item + ")").get(0);
                String fromDovecot = direct.command("c UID FETCH " + CLEAN + " (" + item + ")").get(0);
                assertThat(literal(viaProxy)).as(item).isEqualTo(literal(fromDovecot));
            }
            String structure = proxy.command("b UID FETCH " + CLEAN + " (BODYSTRUCTURE)").get(0);
            for (String section : new String[] {"1", "2"}) {
                String part = literal(proxy.command("p UID FETCH " + CLEAN + " (BODY.PEEK[" + section + "])").get(0));
                assertThat(structure).as("part " + section + " size").contains(" " + part.length() + " ");
            }
        }
    }

    @Test
    void structureOfACleanMultipartShouldBeDovecotsUpToCaseAndItemOrder() throws Exception {
        try (RawImap proxy = imap(SCAN_TLS).selected("EXAMINE");
             RawImap direct = imap(stack.dovecot.imapsPort()).selected("EXAMINE")) {
            for (String item : new String[] {"BODYSTRUCTURE", "BODY", "RFC822.SIZE"}) {
                String viaProxy = proxy.command("b UID FETCH " + CLEAN + " (" + item + ")").get(0);
                String fromDovecot = direct.command("b UID FETCH " + CLEAN + " (" + item + ")").get(0);
                assertThat(withoutUid(viaProxy)).as(item).isEqualToIgnoringCase(withoutUid(fromDovecot));
            }
        }
    }

    @Test
    void headerListingShouldShowNoDeniedForCleanMultipartsAndMatchDovecot() throws Exception {
        String command = "h UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Subject Content-Type)])";
        try (RawImap proxy = imap(SCAN_TLS).selected("EXAMINE");
             RawImap direct = imap(stack.dovecot.imapsPort()).selected("EXAMINE")) {
            List<String> listing = proxy.command(command);
            List<String> fromDovecot = direct.command(command);

            assertThat(listing).hasSize(5);
            assertThat(String.join("\n", listing)).doesNotContain("[Denied]", "X-JamesProxy-Denied")
                .contains("Subject: clean report", "Subject: big report", "multipart/mixed");
            assertThat(literal(listing.get(CLEAN - 1))).isEqualTo(literal(fromDovecot.get(CLEAN - 1)));
            assertThat(literal(listing.get(BIG - 1))).isEqualTo(literal(fromDovecot.get(BIG - 1)));
            assertThat(listing.get(CLEAN - 1)).contains("UID " + CLEAN);
        }
    }

    @Test
    void sequenceNumberAndPipelinedFormsShouldBeAnsweredInOrder() throws Exception {
        try (RawImap imap = imap(SCAN_TLS).selected("EXAMINE")) {
            List<List<String>> answers = imap.pipelined("a FETCH 1 (BODY.PEEK[2])", "b NOOP",
                "c FETCH 2 (FLAGS BODY.PEEK[]<0.300>)", "d UID FETCH 1 (BODY.PEEK[2])", "e FETCH 3 (BODY.PEEK[1])");

            assertThat(answers.get(0).get(0)).startsWith("* 1 FETCH (BODY[2] {").doesNotContain("UID ");
            assertThat(answers.get(0)).last().asString().startsWith("a OK");
            assertThat(answers.get(1)).last().asString().startsWith("b OK");
            assertThat(answers.get(2).get(0)).startsWith("* 2 FETCH (").contains("FLAGS (").doesNotContain("UID ");
            assertThat(answers.get(3)).last().asString().startsWith("d OK");
            assertThat(literal(answers.get(3).get(0))).isEqualTo(literal(answers.get(0).get(0)));
            assertThat(literal(answers.get(4).get(0))).as("part 1 (its last CRLF belongs to the delimiter)")
                .isEqualTo(CLEAN_PART.substring(0, CLEAN_PART.length() - 2));
            answers.forEach(responses -> assertNoThreat(String.join("\n", responses)));
        }
    }

    @Test
    void nonPeekFetchShouldSetSeenAsDovecotDoesAndPeekNot() throws Exception {
        List<String> viaProxy = readSeenSequence(SCAN_TLS);
        List<String> fromDovecot = readSeenSequence(stack.dovecot.imapsPort());

        assertThat(viaProxy.get(0)).as("after PEEK").doesNotContain("\\Seen");
        assertThat(fromDovecot.get(0)).as("Dovecot after PEEK").doesNotContain("\\Seen");
        assertThat(viaProxy.get(1)).as("the non-PEEK answer").contains("BODY[1]<0> {10}");
        assertThat(viaProxy.get(1).contains("\\Seen")).as("\\Seen in the non-PEEK answer, as Dovecot: " + fromDovecot.get(1))
            .isEqualTo(fromDovecot.get(1).contains("\\Seen"));
        assertThat(viaProxy.get(2)).as("FLAGS after the non-PEEK fetch").contains("\\Seen");
        assertThat(fromDovecot.get(2)).as("Dovecot's FLAGS after the non-PEEK fetch").contains("\\Seen");
    }

    /** Unseen, PEEK, FLAGS, non-PEEK window, FLAGS, unseen again: [flags after peek, non-PEEK answer, flags after]. */
    private static List<String> readSeenSequence(int port) throws Exception {
        try (RawImap imap = imap(port).selected("SELECT")) {
            imap.command("u0 UID STORE " + BIG + " -FLAGS.SILENT (\\Seen)");
            imap.command("p UID FETCH " + BIG + " (BODY.PEEK[1])");
            String afterPeek = String.join("\n", imap.command("f1 UID FETCH " + BIG + " (FLAGS)"));
            String read = String.join("\n", imap.command("r UID FETCH " + BIG + " (BODY[1]<0.10>)"));
            String afterRead = String.join("\n", imap.command("f2 UID FETCH " + BIG + " (FLAGS)"));
            imap.command("u1 UID STORE " + BIG + " -FLAGS.SILENT (\\Seen)");
            return List.of(afterPeek, read, afterRead);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // POP3 TOP: a partial retrieval, answered from the inspected whole message

    @Test
    void pop3TopOfAllButTheLastLineShouldNeverShowTheThreatsAndLeaveTheMessageUnseen() throws Exception {
        List<Boolean> flagsBefore = flags();
        String eicarDirect = pop3(stack.dovecot.pop3sPort(), client -> top(client, EICAR, 100_000));
        String cleanDirect = pop3(stack.dovecot.pop3sPort(), client -> top(client, CLEAN, 5));
        int eicarBodyLines = eicarDirect.substring(eicarDirect.indexOf("\r\n\r\n") + 4).split("\r\n", -1).length - 1;

        String eicar = pop3(POP3_SCAN_TLS, client -> top(client, EICAR, eicarBodyLines - 1));
        String exe = pop3(POP3_SCAN_TLS, client -> top(client, EXE, 10_000));
        String clean = pop3(POP3_SCAN_TLS, client -> top(client, CLEAN, 5));

        assertThat(eicarDirect).as("the attachment is there, uninspected, straight from Dovecot").contains(EICAR_BASE64);
        assertNoThreat(eicar);
        assertNoThreat(exe);
        assertThat(clean).as("a clean message passes unchanged: Dovecot's own TOP").isEqualTo(cleanDirect);
        assertThat(flags()).as("TOP through the proxy marks nothing seen, as TOP does").isEqualTo(flagsBefore);
    }

    private static String pop3(int port, Pop3Logins.Use<String> use) throws Exception {
        return Pop3Logins.implicitTls(port, stack.clientTrust(), ContainerMailStack.USER, ContainerMailStack.PASSWORD, use);
    }

    private static String top(POP3SClient client, int message, int lines) throws Exception {
        try (Reader reader = client.retrieveMessageTop(message, lines)) {
            assertThat(reader).as("TOP %d %d answered", message, lines).isNotNull();
            return CharStreams.toString(reader);
        }
    }

    /** Whether each message is \Seen, straight from Dovecot (\Recent goes with the first session that opens it). */
    private static List<Boolean> flags() throws Exception {
        try (RawImap direct = imap(stack.dovecot.imapsPort()).selected("EXAMINE")) {
            return direct.command("f FETCH 1:* (FLAGS)").stream()
                .filter(line -> line.startsWith("* "))
                .map(line -> line.contains("\\Seen"))
                .toList();
        }
    }
}
