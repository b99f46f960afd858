package org.jamesproxy.testing;

import java.io.IOException;

/**
 * The hooks every relay contract shares (James's contract style: the scenarios are {@code @Test} default methods
 * of the {@code XxxContract} interfaces, a protocol's test class implements them over its {@link ProxyFixture}).
 * A protocol's words come from its dialect ({@link ImapDialect}, {@link Pop3Dialect}, {@link SmtpDialect}); the
 * test class supplies the fixture it creates and closes.
 *
 * @param <U> the protocol's fake upstream
 * @param <C> the protocol's test client
 */
public interface ProxyContract<U extends FakeUpstream, C extends TestClient> {
    /** The fixture of the running test, created before each test and closed after it. */
    ProxyFixture<?, U, C> fixture();

    /** A policy on 127.0.0.1:0 with both listeners toward a plain loopback upstream; {@code extra} goes inside. */
    String policy(String extra);

    String policy(String tlsSupport, String upstreamTls, String extra);

    /** The prefix of the protocol's metrics, e.g. {@code imapproxy}. */
    String metricPrefix();

    /** A command line: IMAP puts the tag in front, POP3 and SMTP have none. */
    String command(String tag, String command);

    /** The verb of a command line, as the fake upstream's {@code receivedCommand} takes it. */
    String verb(String commandLine);

    /** The next answer: a line (SMTP: the last line of a reply); null at the end of the stream. */
    String answer(C client) throws IOException;

    /** How a successful answer to the command of {@code tag} starts: {@code a OK}, {@code +OK}, {@code 250}. */
    String ok(String tag);

    /** A client on the plain port, greeting checked, ready for commands (SMTP: after EHLO). */
    C readyPlainClient() throws Exception;

    /** A client on the implicit TLS port, greeting checked, ready for commands (SMTP: after EHLO). */
    C readyTlsClient() throws Exception;

    /** Sends the command of {@code tag} and returns its answer. */
    default String ask(C client, String tag, String command) throws IOException {
        client.sendLine(command(tag, command));
        return answer(client);
    }

    /** A counter of the protocol, e.g. {@code count("upstream-failures")} for {@code imapproxy-upstream-failures}. */
    default int count(String metric) {
        return fixture().metrics().countFor(metricPrefix() + "-" + metric);
    }
}
