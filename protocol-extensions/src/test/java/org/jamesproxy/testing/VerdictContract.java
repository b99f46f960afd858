package org.jamesproxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamesproxy.inspection.InspectionResult;
import org.jamesproxy.policy.LoggingClientBlocker;
import org.junit.jupiter.api.Test;

/**
 * What a client (and the upstream) see for the tempfail, drop and block verdicts on a message in transit (fetched,
 * retrieved or submitted): drop and block end the session with the protocol's policy farewell, block also reports
 * the client; tempfail is answered as the protocol says.
 */
public interface VerdictContract<U extends FakeUpstream, C extends TestClient> extends ProxyContract<U, C> {
    /** The reason a tempfail verdict gives. */
    String TEMPFAIL_REASON = "scanner down";

    /** The notice a tempfail verdict carries. */
    String TEMPFAIL_NOTICE = "Subject: [Denied] original\r\n\r\nScanner unavailable.\r\n";

    /** A client whose message (tag {@code a}) is in the inspector's hands, the inspector answering {@code verdict}. */
    C messageInspectedWith(InspectionResult verdict) throws Exception;

    /** Everything the client gets after a drop or block verdict, up to the close. */
    String policyFarewell();

    /** What the protocol calls an inspected message in its metrics: fetch, retr, messages. */
    String messagesMetric();

    /** The client's answer to a tempfail verdict with {@link #TEMPFAIL_REASON} and {@link #TEMPFAIL_NOTICE}. */
    void assertTempfailAnswered(C client) throws Exception;

    /** After a drop or block: what the upstream must not have got (SMTP: the message). */
    default void assertWithheldFromTheUpstream() throws Exception {
    }

    @Test
    default void tempfailShouldBeAnsweredAsTheProtocolSays() throws Exception {
        C client = messageInspectedWith(InspectionResult.tempfailed(TEMPFAIL_REASON, TEMPFAIL_NOTICE.getBytes(
            java.nio.charset.StandardCharsets.ISO_8859_1)));

        assertTempfailAnswered(client);
    }

    @Test
    default void dropShouldSayTheFarewellAndClose() throws Exception {
        C client = messageInspectedWith(InspectionResult.dropped("Virus found: EICAR"));

        assertThat(client.readUntilClosed()).isEqualTo(policyFarewell());
        assertWithheldFromTheUpstream();
        assertThat(count(messagesMetric() + "-denied")).isEqualTo(1);
        assertThat(fixture().metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isZero();
    }

    @Test
    default void blockShouldSayTheFarewellCloseAndReportTheClient() throws Exception {
        C client = messageInspectedWith(InspectionResult.blocked("Virus found: EICAR"));

        assertThat(client.readUntilClosed()).isEqualTo(policyFarewell());
        assertWithheldFromTheUpstream();
        assertThat(fixture().metrics().countFor(LoggingClientBlocker.BLOCK_REQUESTS)).isEqualTo(1);
    }
}
