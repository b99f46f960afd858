package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.jamesproxy.testing.ImapProxyFixture.policy;
import static org.jamesproxy.testing.ImapProxyFixture.withInspection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.inspection.MessageInspector;
import org.jamesproxy.testing.FakeImapUpstream;
import org.jamesproxy.testing.ImapProxyFixture;
import org.jamesproxy.testing.ImapTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FETCH content items answered from the inspected message ({@code partialFetch inspect}, the default) against the
 * fake upstream: what the upstream is asked (content items stripped, UID added, one private whole-message fetch per
 * message), what the client gets (sections and windows of the inspected bytes, UID only when asked), the cache, and
 * the faults (tempfail, expunge meanwhile, UIDVALIDITY change, the upstream dropping while the command is held).
 */
class ImapProxyViewFetchTest {
    private static final String ORIGINAL = "From: alice@example.com\r\nSubject: original\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        + "--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        + "--b1\r\nContent-Type: application/octet-stream; name=\"evil.exe\"\r\n\r\nMZ-evil-bytes\r\n"
        + "--b1--\r\n";
    private static final String INSPECTED = "From: alice@example.com\r\nSubject: original\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        + "--b1\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
        + "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe attachment evil.exe was removed.\r\n"
        + "--b1--\r\n";
    private static final String PRIVATE_FETCH = "UID FETCH 1 BODY.PEEK[]";

    private ImapProxyFixture fixture;
    private FakeImapUpstream upstream;
    private final AtomicInteger inspections = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new ImapProxyFixture();
        upstream = fixture.upstream().message(1, ORIGINAL.getBytes(ISO_8859_1));
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private MessageInspector stripping() {
        return (context, message) -> {
            inspections.incrementAndGet();
            return InspectionResult.modified(INSPECTED.getBytes(ISO_8859_1));
        };
    }

    private ImapTestClient selected(MessageInspector inspector) throws Exception {
        return selected("", inspector);
    }

    private ImapTestClient selected(String inspection, MessageInspector inspector) throws Exception {
        fixture.start(policy(withInspection(inspection)), upstream, inspector);
        ImapTestClient client = fixture.tlsClient();
        client.readLine();
        assertThat(client.sendLine("l LOGIN alice secret").readLine()).startsWith("l OK");
        assertThat(client.sendLine("s SELECT INBOX").readUntilTagged("s")).last().asString().startsWith("s OK");
        return client;
    }

    private long privateFetches() {
        return upstream.receivedLines().stream().filter(line -> line.endsWith(PRIVATE_FETCH)).count();
    }

    private static String literalOf(String response) {
        Matcher matcher = Pattern.compile("\\{(\\d+)}\r\n").matcher(response);
        assertThat(matcher.find()).as("a literal in " + response).isTrue();
        int size = Integer.parseInt(matcher.group(1));
        return response.substring(matcher.end(), matcher.end() + size);
    }

    @Test
    void chunkedDownloadShouldReassembleTheInspectedMessageWithOneFetchAndOneInspection() throws Exception {
        ImapTestClient client = selected(stripping());

        StringBuilder reassembled = new StringBuilder();
        for (int chunk = 0; ; chunk++) {
            List<String> responses = client.sendLine("c" + chunk + " UID FETCH 1 (UID RFC822.SIZE BODY.PEEK[]<" + chunk * 64 + ".64>)")
                .readUntilTagged("c" + chunk);
            assertThat(responses).hasSize(2);
            assertThat(responses.get(0)).startsWith("* 1 FETCH (RFC822.SIZE " + INSPECTED.length()
                + " BODY[]<" + chunk * 64 + "> {").endsWith(" UID 1)");
            String part = literalOf(responses.get(0));
            reassembled.append(part);
            if (part.length() < 64) {
                break;
            }
        }

        assertThat(reassembled.toString()).isEqualTo(INSPECTED);
        assertThat(inspections).hasValue(1);
        assertThat(privateFetches()).isEqualTo(1);
        assertThat(fixture.metrics().countFor("imapproxy-view-upstream-fetches")).isEqualTo(1);
        assertThat(upstream.receivedLines()).noneMatch(line -> line.contains("BODY.PEEK[]<"));
    }

    /** An inspected message of about {@code size} bytes, its lines numbered so that any misplaced byte shows. */
    private static String large(int size) {
        StringBuilder message = new StringBuilder("From: alice@example.com\r\nSubject: large\r\n\r\n");
        for (int line = 0; message.length() < size; line++) {
            message.append("line ").append(line).append(" of a large inspected message, all clean\r\n");
        }
        return message.toString();
    }

    @Test
    void largeMessagesShouldBeServedChunkByChunkByteForByteFromMemoryAndFromTheirSpillFile() throws Exception {
        upstream.message(2, ORIGINAL.getBytes(ISO_8859_1));
        // 300 KB stays in memory in the cache, 1.5 MB is spilled (spillAbove 1M, no memory for large views): both are
        // above the size answered in one buffer.
        String inMemory = large(300_000);
        String spilled = large(1_500_000);
        ImapTestClient client = selected("<inspection><viewCache><largeViewMemory>0</largeViewMemory></viewCache></inspection>",
            (context, message) -> {
                inspections.incrementAndGet();
                return InspectionResult.modified((inspections.get() == 1 ? inMemory : spilled).getBytes(ISO_8859_1));
            });

        for (String round : List.of("first", "cached")) {
            List<String> responses = client.sendLine("a" + round + " FETCH 1:2 (BODY.PEEK[] RFC822.SIZE FLAGS)").readUntilTagged("a" + round);

            assertThat(responses).hasSize(3);
            assertThat(literalOf(responses.get(0))).as(round).isEqualTo(inMemory);
            assertThat(responses.get(0)).contains("}\r\n" + inMemory + " RFC822.SIZE " + inMemory.length() + " FLAGS (").endsWith(")");
            assertThat(literalOf(responses.get(1))).as(round).isEqualTo(spilled);
            assertThat(responses.get(1)).contains("}\r\n" + spilled + " RFC822.SIZE " + spilled.length() + " FLAGS (").endsWith(")");
            List<String> window = client.sendLine("w" + round + " UID FETCH 2 (BODY.PEEK[TEXT]<1000.700000>)").readUntilTagged("w" + round);
            String text = spilled.substring(spilled.indexOf("\r\n\r\n") + 4);
            assertThat(literalOf(window.get(0))).isEqualTo(text.substring(1000, 701_000));
        }
        assertThat(inspections).hasValue(2);
    }

    @Test
    void aRangeShouldBeFetchedPrivatelyInOneCommandAndEachMessageInspectedOnce() throws Exception {
        upstream.message(2, ORIGINAL.getBytes(ISO_8859_1)).message(3, ORIGINAL.getBytes(ISO_8859_1));
        ImapTestClient client = selected(stripping());

        List<String> responses = client.sendLine("a FETCH 1:3 (BODY.PEEK[])").readUntilTagged("a");

        assertThat(responses).hasSize(4);
        for (int number = 1; number <= 3; number++) {
            assertThat(responses.get(number - 1)).startsWith("* " + number + " FETCH (BODY[] {");
            assertThat(literalOf(responses.get(number - 1))).isEqualTo(INSPECTED);
        }
        assertThat(responses.get(3)).isEqualTo("a OK FETCH completed");
        assertThat(inspections).hasValue(3);
        assertThat(upstream.receivedLines()).filteredOn(line -> line.contains("BODY.PEEK[]"))
            .containsExactly("jmproxy1 UID FETCH 1,2,3 BODY.PEEK[]");
        assertThat(fixture.metrics().countFor("imapproxy-view-upstream-fetches")).isEqualTo(3);
    }

    @Test
    void aLongRangeShouldBeFetchedInBatchesEachMessageOnceAndServedInOrder() throws Exception {
        messages(20);
        ImapTestClient client = selected(stripping());

        List<String> responses = client.sendLine("a FETCH 1:20 (BODY.PEEK[])").readUntilTagged("a");

        assertThat(responses).hasSize(21);
        for (int number = 1; number <= 20; number++) {
            assertThat(responses.get(number - 1)).startsWith("* " + number + " FETCH (BODY[] {");
            assertThat(literalOf(responses.get(number - 1))).isEqualTo(INSPECTED);
        }
        assertThat(upstream.receivedLines()).filteredOn(line -> line.contains("BODY.PEEK[]"))
            .containsExactly("jmproxy1 UID FETCH 1,2,3,4,5,6,7,8 BODY.PEEK[]", "jmproxy2 UID FETCH 9,10,11,12,13,14,15,16 BODY.PEEK[]",
                "jmproxy3 UID FETCH 17,18,19,20 BODY.PEEK[]");
        assertThat(inspections).hasValue(20);
    }

    @Test
    void aMessageThatDoesNotFitTheInFlightBudgetShouldWaitAndThenBeServed() throws Exception {
        upstream.message(2, ORIGINAL.getBytes(ISO_8859_1));
        // A budget of one byte: each message passes alone, after the one before gave its share back.
        ImapTestClient client = selected("<inspection><viewCache><maxInFlight>1</maxInFlight></viewCache></inspection>", stripping());

        List<String> responses = client.sendLine("a FETCH 1:2 (BODY.PEEK[])").readUntilTagged("a");

        assertThat(responses).hasSize(3);
        assertThat(literalOf(responses.get(0))).isEqualTo(INSPECTED);
        assertThat(literalOf(responses.get(1))).isEqualTo(INSPECTED);
        assertThat(responses.get(2)).isEqualTo("a OK FETCH completed");
        assertThat(inspections).hasValue(2);
    }

    @Test
    void laterChunksShouldBeAnsweredFromTheCachedViewWithoutTheUpstream() throws Exception {
        ImapTestClient client = selected(stripping());

        String reassembled = chunked(client, 64);

        assertThat(reassembled).isEqualTo(INSPECTED);
        assertThat(upstream.receivedLines()).filteredOn(line -> line.startsWith("c "))
            .as("only the first chunk's command reaches the upstream").hasSize(1);
        assertThat(fixture.metrics().countFor("imapproxy-view-cache-hits")).isGreaterThanOrEqualTo(INSPECTED.length() / 64);
    }

    @Test
    void aChunkAskingForMoreThanTheViewKnowsShouldStillGoUpstream() throws Exception {
        ImapTestClient client = selected(stripping());
        client.sendLine("a UID FETCH 1 (BODY.PEEK[]<0.64>)").readUntilTagged("a");

        List<String> withFlags = client.sendLine("b UID FETCH 1 (FLAGS BODY.PEEK[]<64.64>)").readUntilTagged("b");
        List<String> marking = client.sendLine("c UID FETCH 1 (BODY[]<128.64>)").readUntilTagged("c");

        assertThat(withFlags.get(0)).startsWith("* 1 FETCH (BODY[]<64> {64}").contains("FLAGS (");
        assertThat(marking).last().asString().startsWith("c OK");
        assertThat(upstream.receivedLines()).anyMatch(line -> line.startsWith("b UID FETCH 1 (FLAGS UID)"))
            .anyMatch(line -> line.startsWith("c UID FETCH 1 "));
    }

    @Test
    void anExpungeSeenByTheClientShouldSendTheNextChunkUpstreamAgain() throws Exception {
        ImapTestClient client = selected(stripping());
        client.sendLine("a UID FETCH 1 (BODY.PEEK[]<0.64>)").readUntilTagged("a");
        client.sendLine("b UID FETCH 1 (BODY.PEEK[]<64.64>)").readUntilTagged("b");
        upstream.expungeAfterListFetch(1);

        List<String> afterExpunge = client.sendLine("c FETCH 1 (FLAGS)").readUntilTagged("c");
        client.sendLine("d UID FETCH 1 (BODY.PEEK[]<128.64>)").readUntilTagged("d");

        assertThat(afterExpunge).contains("* 1 EXPUNGE");
        assertThat(upstream.receivedLines()).noneMatch(line -> line.startsWith("b "))
            .anyMatch(line -> line.startsWith("d UID FETCH 1 "));
    }

    private String chunked(ImapTestClient client, int size) throws Exception {
        StringBuilder reassembled = new StringBuilder();
        for (int origin = 0; ; origin += size) {
            List<String> responses = client.sendLine("c UID FETCH 1 (BODY.PEEK[]<" + origin + "." + size + ">)").readUntilTagged("c");
            String part = literalOf(responses.get(0));
            reassembled.append(part);
            if (part.length() < size) {
                return reassembled.toString();
            }
        }
    }

    @Test
    void oversizeReplaceShouldHoldForChunksAndParts() throws Exception {
        ImapTestClient client = selected("<inspection><maxMessageSize>100</maxMessageSize><oversize>replace</oversize></inspection>",
            stripping());

        String whole = chunked(client, 50);
        String part = client.sendLine("p UID FETCH 1 (BODY.PEEK[2])").readUntilTagged("p").get(0);
        String size = client.sendLine("s UID FETCH 1 (RFC822.SIZE)").readUntilTagged("s").get(0);

        assertThat(whole).contains(org.jamesproxy.inspection.DenyNotice.DENIED_HEADER).doesNotContain("MZ-evil");
        // The notice is the message now: it has no part 2 (answered empty, as James answers a part that does not exist).
        assertThat(part).isEqualTo("* 1 FETCH (BODY[2] {0}\r\n UID 1)");
        assertThat(size).contains("RFC822.SIZE " + whole.length() + " ");
        assertThat(inspections).hasValue(0);
        assertThat(privateFetches()).isEqualTo(1);
    }

    @Test
    void oversizePassShouldServeTheOriginalInEveryShapeCountedOnce() throws Exception {
        ImapTestClient client = selected("<inspection><maxMessageSize>100</maxMessageSize></inspection>", stripping());

        String whole = chunked(client, 50);
        String part = literalOf(client.sendLine("p UID FETCH 1 (BODY.PEEK[2])").readUntilTagged("p").get(0));

        assertThat(whole).isEqualTo(ORIGINAL);
        assertThat(part).isEqualTo("MZ-evil-bytes");
        assertThat(inspections).hasValue(0);
        assertThat(fixture.metrics().countFor("imapproxy-fetch-not-inspected")).isEqualTo(1);
        assertThat(privateFetches()).isEqualTo(1);
    }

    @Test
    void sectionsAndStructureShouldDescribeTheInspectedMessage() throws Exception {
        ImapTestClient client = selected(stripping());

        String structure = client.sendLine("a UID FETCH 1 (BODYSTRUCTURE)").readUntilTagged("a").get(0);
        String mime = literalOf(client.sendLine("b UID FETCH 1 (BODY.PEEK[2.MIME])").readUntilTagged("b").get(0));
        String part = literalOf(client.sendLine("c UID FETCH 1 (BODY.PEEK[2])").readUntilTagged("c").get(0));
        String listing = client.sendLine("d UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject Content-Type)])")
            .readUntilTagged("d").get(0);

        assertThat(structure).startsWith("* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\"").contains("\"MIXED\"")
            .doesNotContain("OCTET-STREAM");
        assertThat(mime).isEqualTo("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        assertThat(part).isEqualTo("The attachment evil.exe was removed.");
        assertThat(listing).contains("BODY[HEADER.FIELDS (Subject Content-Type)]").contains("Subject: original\r\n")
            .contains("multipart/mixed").doesNotContain("From:").doesNotContain("[Denied]");
        assertThat(inspections).hasValue(1);
        assertThat(privateFetches()).isEqualTo(1);
    }

    @Test
    void sequenceNumberFetchShouldGetNoUidItDidNotAskFor() throws Exception {
        ImapTestClient client = selected(stripping());

        List<String> responses = client.sendLine("a FETCH 1 (BODY.PEEK[TEXT]<0.10>)").readUntilTagged("a");

        assertThat(responses).containsExactly("* 1 FETCH (BODY[TEXT]<0> {10}\r\n" + INSPECTED.substring(
            INSPECTED.indexOf("\r\n\r\n") + 4).substring(0, 10) + ")", "a OK FETCH completed");
        assertThat(upstream.receivedLines()).anyMatch(line -> line.startsWith("a FETCH 1 (") && line.contains("UID"));
    }

    @Test
    void nonPeekFetchShouldLetTheUpstreamSetSeenAndPeekShouldNot() throws Exception {
        ImapTestClient client = selected(stripping());

        List<String> peek = client.sendLine("a FETCH 1 (BODY.PEEK[1])").readUntilTagged("a");
        long storesAfterPeek = upstream.receivedLines().stream().filter(line -> line.contains("STORE")).count();
        List<String> read = client.sendLine("b FETCH 1 (BODY[1])").readUntilTagged("b");

        assertThat(peek).containsExactly("* 1 FETCH (BODY[1] {5}\r\nHello)", "a OK FETCH completed");
        assertThat(read).containsExactly("* 1 FETCH (BODY[1] {5}\r\nHello)", "* 1 FETCH (FLAGS (\\Seen))", "b OK FETCH completed");
        assertThat(storesAfterPeek).isZero();
        // Set once the content was served, never by the stripped command itself.
        assertThat(upstream.receivedLines()).filteredOn(line -> line.contains("STORE"))
            .containsExactly("jmproxy2 UID STORE 1 +FLAGS (\\Seen)");
        assertThat(upstream.receivedLines()).filteredOn(line -> line.startsWith("b FETCH")).noneMatch(line -> line.contains("BODY["));
    }

    @Test
    void pipelinedCommandsShouldKeepTheirOrder() throws Exception {
        ImapTestClient client = selected(stripping());

        List<String> responses = client.send("a FETCH 1 (BODY.PEEK[1])\r\nb NOOP\r\nc UID FETCH 1 (RFC822.SIZE)\r\nd NOOP\r\n")
            .readUntilTagged("d");

        assertThat(responses).containsExactly("* 1 FETCH (BODY[1] {5}\r\nHello)", "a OK FETCH completed",
            // c asks nothing the cached view of message 1 cannot answer: the proxy answers it, in its place.
            "b OK NOOP completed", "* 1 FETCH (RFC822.SIZE " + INSPECTED.length() + " UID 1)", "c OK UID FETCH completed",
            "d OK NOOP completed");
        assertThat(upstream.receivedLines()).noneMatch(line -> line.startsWith("c "));
    }

    @Test
    void tempfailShouldFailTheCommandClosedAndNotBeCached() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ImapTestClient client = selected((context, message) -> {
            inspections.incrementAndGet();
            return calls.getAndIncrement() == 0
                ? InspectionResult.tempfailed("clamd unavailable", "Subject: notice\r\n\r\nlater\r\n".getBytes(ISO_8859_1))
                : InspectionResult.modified(INSPECTED.getBytes(ISO_8859_1));
        });

        List<String> first = client.sendLine("a UID FETCH 1 (BODY.PEEK[]<0.64>)").readUntilTagged("a");
        List<String> second = client.sendLine("b UID FETCH 1 (BODY.PEEK[]<0.64>)").readUntilTagged("b");

        assertThat(first).containsExactly("* 1 FETCH (UID 1)", "a NO [UNAVAILABLE] The message could not be inspected, try again later");
        assertThat(upstream.receivedLines()).noneMatch(line -> line.contains("STORE"));
        assertThat(String.join("\n", first)).doesNotContain("MZ-evil", "Hello");
        assertThat(literalOf(second.get(0))).isEqualTo(INSPECTED.substring(0, 64));
        assertThat(inspections).hasValue(2);
    }

    @Test
    void uidValidityChangeShouldInvalidateTheCachedViews() throws Exception {
        ImapTestClient client = selected(stripping());

        client.sendLine("a UID FETCH 1 (RFC822.SIZE)").readUntilTagged("a");
        client.sendLine("s2 SELECT INBOX").readUntilTagged("s2");
        client.sendLine("b UID FETCH 1 (RFC822.SIZE)").readUntilTagged("b");
        upstream.uidValidity(2);
        client.sendLine("s3 SELECT INBOX").readUntilTagged("s3");
        List<String> afterChange = client.sendLine("c UID FETCH 1 (RFC822.SIZE)").readUntilTagged("c");

        assertThat(afterChange).containsExactly("* 1 FETCH (RFC822.SIZE " + INSPECTED.length() + " UID 1)", "c OK FETCH completed");
        assertThat(inspections).hasValue(2);
        assertThat(privateFetches()).isEqualTo(2);
    }

    /** Thunderbird's chunked download of one message; the client's commands are tagged {@code m<uid>c<chunk>}. */
    private static String downloadInChunks(ImapTestClient client, int uid) throws Exception {
        StringBuilder reassembled = new StringBuilder();
        for (int chunk = 0; ; chunk++) {
            String tag = "m" + uid + "c" + chunk;
            List<String> responses = client.sendLine(tag + " UID FETCH " + uid + " (UID RFC822.SIZE BODY.PEEK[]<" + chunk * 64 + ".64>)")
                .readUntilTagged(tag);
            assertThat(responses).last().asString().startsWith(tag + " OK");
            String part = literalOf(responses.get(responses.size() - 2));
            reassembled.append(part);
            if (part.length() < 64) {
                return reassembled.toString();
            }
        }
    }

    private List<String> clientCommandsUpstreamFor(int uid) {
        return upstream.receivedLines().stream().filter(line -> line.startsWith("m" + uid + "c")).toList();
    }

    private FakeImapUpstream messages(int count) {
        for (int uid = 2; uid <= count; uid++) {
            upstream.message(uid, ORIGINAL.getBytes(ISO_8859_1));
        }
        return upstream;
    }

    @Test
    void aClientDownloadingInOrderShouldFindItsNextMessagesReadAheadAndInspectedOnce() throws Exception {
        messages(6);
        ImapTestClient client = selected(stripping());

        for (int uid = 1; uid <= 6; uid++) {
            assertThat(downloadInChunks(client, uid)).as("message " + uid).isEqualTo(INSPECTED);
        }

        assertThat(upstream.receivedLines()).filteredOn(line -> line.contains(":"))
            .as("after the second message; the next when half of it is left").first().isEqualTo("jmproxy3 UID FETCH 3:10 BODY.PEEK[]");
        for (int uid = 3; uid <= 6; uid++) {
            assertThat(clientCommandsUpstreamFor(uid)).as("message " + uid + " answered from what was read ahead").isEmpty();
        }
        assertThat(inspections).hasValue(6);
        assertThat(fixture.metrics().countFor("imapproxy-view-upstream-fetches")).isEqualTo(6);
    }

    @Test
    void commandsDuringAReadAheadShouldBeAnsweredFromTheCacheOrWaitForIt() throws Exception {
        messages(4);
        ImapTestClient client = selected(stripping());
        downloadInChunks(client, 1);
        upstream.hold("FETCH");
        client.sendLine("m2c0 UID FETCH 2 (UID RFC822.SIZE BODY.PEEK[]<0.64>)");
        upstream.releaseOne("FETCH");
        upstream.releaseOne("FETCH");
        client.readUntilTagged("m2c0");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.receivedLines().contains("jmproxy3 UID FETCH 3:10 BODY.PEEK[]"));

        List<String> nextChunk = client.sendLine("m2c1 UID FETCH 2 (UID RFC822.SIZE BODY.PEEK[]<64.64>)").readUntilTagged("m2c1");
        client.sendLine("n NOOP");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !upstream.receivedCommand("NOOP"));
        upstream.release("FETCH");

        assertThat(nextChunk).last().asString().startsWith("m2c1 OK");
        assertThat(clientCommandsUpstreamFor(2)).as("the second chunk answered while the read-ahead is held")
            .containsExactly("m2c0 UID FETCH 2 (UID)");
        assertThat(client.readUntilTagged("n")).last().asString().startsWith("n OK");
        assertThat(downloadInChunks(client, 3)).isEqualTo(INSPECTED);
        assertThat(clientCommandsUpstreamFor(3)).isEmpty();
    }

    @Test
    void anExpungeDuringAReadAheadShouldReachTheClientWithItsNextCommandAndVoidTheReadAheadNumbers() throws Exception {
        messages(5);
        upstream.untaggedAfterBodyOf(4, "* 1 EXPUNGE");
        ImapTestClient client = selected(stripping());
        downloadInChunks(client, 1);
        downloadInChunks(client, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> inspections.get() == 5);

        List<String> next = client.sendLine("x UID FETCH 3 (UID RFC822.SIZE BODY.PEEK[]<0.64>)").readUntilTagged("x");

        assertThat(next.get(0)).isEqualTo("* 1 EXPUNGE");
        assertThat(next).last().asString().startsWith("x OK");
        assertThat(upstream.receivedLines()).as("its sequence number is asked again")
            .contains("x UID FETCH 3 (UID)");
        assertThat(inspections).as("the view read ahead is still used").hasValue(5);
    }

    @Test
    void noReadAheadShouldHappenWithoutBudgetOrWhenSwitchedOffAndNothingShouldBeLost() throws Exception {
        messages(4);
        ImapTestClient client = selected("<inspection><viewCache><maxInFlight>1</maxInFlight></viewCache></inspection>", stripping());

        for (int uid = 1; uid <= 4; uid++) {
            assertThat(downloadInChunks(client, uid)).isEqualTo(INSPECTED);
        }

        assertThat(clientCommandsUpstreamFor(4)).as("the budget had no room to read ahead").isNotEmpty();
        assertThat(inspections).hasValue(4);
        assertThat(fixture.metrics().countFor("imapproxy-view-upstream-fetches")).isEqualTo(4);
    }

    @Test
    void readAheadZeroShouldLeaveEveryMessageToTheClientsOwnFetch() throws Exception {
        messages(4);
        ImapTestClient client = selected("<inspection><viewCache><readAhead>0</readAhead></viewCache></inspection>", stripping());

        for (int uid = 1; uid <= 4; uid++) {
            assertThat(downloadInChunks(client, uid)).isEqualTo(INSPECTED);
        }

        assertThat(upstream.receivedLines()).noneMatch(line -> line.contains(":") && line.contains("BODY.PEEK[]"));
        assertThat(inspections).hasValue(4);
    }

    @Test
    void messageExpungedMeanwhileShouldGetNoContentAndTheExpungeInOrder() throws Exception {
        ImapTestClient client = selected(stripping());
        upstream.expungeAfterListFetch(1);

        List<String> responses = client.sendLine("a FETCH 1 (FLAGS BODY.PEEK[])").readUntilTagged("a");

        assertThat(responses).containsExactly("* 1 FETCH (FLAGS (\\Seen))", "* 1 EXPUNGE", "a OK FETCH completed");
        assertThat(inspections).hasValue(0);
    }

    @Test
    void upstreamDroppingWhileTheCommandIsHeldShouldNeverAnswerOk() throws Exception {
        ImapTestClient client = selected(stripping());
        upstream.hold("FETCH");

        client.sendLine("a FETCH 1 (BODY.PEEK[2])");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> upstream.receivedLines().stream().anyMatch(line -> line.startsWith("a FETCH")));
        upstream.close();
        String rest = client.readUntilClosed();

        assertThat(rest).contains("* BYE [UNAVAILABLE]").doesNotContain("a OK").doesNotContain("MZ-evil");
    }

    @Test
    void unparsableItemsShouldBeRefusedNotRelayed() throws Exception {
        ImapTestClient client = selected(stripping());

        List<String> responses = client.sendLine("a FETCH 1 (BODY.PEEK[1]").readUntilTagged("a");

        assertThat(responses).hasSize(1);
        assertThat(responses.get(0)).startsWith("a BAD ");
        assertThat(upstream.receivedLines()).noneMatch(line -> line.startsWith("a FETCH"));
    }
}
