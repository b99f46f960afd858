package org.jamesproxy.imap;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** The client side of the dialogue: command handlers, exchanges that own the client's lines, STARTTLS ordering. */
class ClientCommandsTest {
    private final ImapFrameReader reader = new ImapFrameReader(ByteBufAllocator.DEFAULT, 1000);
    private final FakeSession session = new FakeSession();
    private final ClientCommands commands = new ClientCommands(reader, 2, 100, session);

    @AfterEach
    void tearDown() {
        reader.release();
    }

    /** As the session's loop: frames are taken while the client side is not paused. */
    private void receive(String text) throws Exception {
        reader.add(Unpooled.copiedBuffer(text, ISO_8859_1));
        ImapFrame frame;
        while (!commands.paused() && (frame = reader.next()) != null) {
            commands.onFrame(frame);
        }
    }

    private void completed(String tag, String status) {
        commands.completed(tag, status);
        commands.taggedResponseRelayed();
    }

    @Test
    void commandsShouldBeForwardedUpToThePipeliningLimit() throws Exception {
        receive("a NOOP\r\nb UID FETCH 1 FLAGS\r\nc NOOP\r\n");

        assertThat(session.upstream).hasToString("a NOOP\r\nb UID FETCH 1 FLAGS\r\n");
        assertThat(session.replies).containsExactly("c BAD [LIMIT] Too many commands in progress");

        completed("a", "OK");
        receive("d NOOP\r\n");
        assertThat(session.upstream).hasToString("a NOOP\r\nb UID FETCH 1 FLAGS\r\nd NOOP\r\n");
    }

    @Test
    void aLockedOutUserShouldBeRefusedHereAndTheCredentialsNeverSent() throws Exception {
        session.tlsActive = true;
        session.lockedOutUsers.add("alice");

        receive("a LOGIN alice secret\r\nb AUTHENTICATE PLAIN " + java.util.Base64.getEncoder().encodeToString(
            "\0alice\0secret".getBytes(ISO_8859_1)) + "\r\nc LOGIN bob secret\r\n");

        assertThat(session.replies).containsExactly("a NO [AUTHENTICATIONFAILED] Authentication failed",
            "b NO [AUTHENTICATIONFAILED] Authentication failed");
        assertThat(session.upstream).hasToString("c LOGIN bob secret\r\n");
    }

    @Test
    void aSaslResponseNamingALockedOutUserShouldBeReplacedByACancelAndTheCommandAnsweredNo() throws Exception {
        session.tlsActive = true;
        session.lockedOutUsers.add("alice");

        receive("a AUTHENTICATE PLAIN\r\n");
        receive(java.util.Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(ISO_8859_1)) + "\r\n");

        assertThat(session.upstream).hasToString("a AUTHENTICATE PLAIN\r\n*\r\n");
        assertThat(commands.completed("a", "BAD")).contains("a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
    }

    @Test
    void lineWithoutACommandNameShouldBeAnsweredHere() throws Exception {
        receive("a\r\n\r\n");

        assertThat(session.replies).containsExactly("a BAD Missing command", "* BAD Missing command");
        assertThat(session.upstream).isEmpty();
    }

    @Test
    void refusedExtensionsShouldBeAnsweredWithTheirLiteralDropped() throws Exception {
        receive("a COMPRESS {8+}\r\nDEFLATE\n\r\nb UNAUTHENTICATE\r\nc NOOP\r\n");

        assertThat(session.replies).containsExactly("a BAD COMPRESS is not available through this proxy",
            "b BAD UNAUTHENTICATE is not available through this proxy");
        assertThat(session.upstream).hasToString("c NOOP\r\n");
    }

    @Test
    void startTlsShouldWaitForTheCommandsBeforeIt() throws Exception {
        receive("a NOOP\r\ns STARTTLS\r\n");

        assertThat(session.startTls).isEmpty();
        assertThat(commands.paused()).isTrue();

        completed("a", "OK");
        assertThat(session.startTls).containsExactly("s");
        assertThat(commands.paused()).isFalse();
        assertThat(session.upstream).hasToString("a NOOP\r\n");
    }

    @Test
    void startTlsShouldBeRefusedWhenTlsIsThereOrAfterLogin() throws Exception {
        session.tlsActive = true;
        receive("s STARTTLS\r\n");
        session.tlsActive = false;
        session.startTlsOffered = false;
        receive("t STARTTLS\r\n");
        session.startTlsOffered = true;
        session.authenticated = true;
        receive("u STARTTLS\r\n");

        assertThat(session.replies).containsExactly("s BAD TLS is already active", "t BAD STARTTLS is not available",
            "u BAD STARTTLS is not permitted after authentication");
        assertThat(session.startTls).isEmpty();
    }

    @Test
    void loginOnAPlainLegShouldNeverReachTheUpstream() throws Exception {
        receive("l LOGIN user secret\r\n");

        assertThat(session.replies).containsExactly("l NO [PRIVACYREQUIRED] Use STARTTLS before logging in");
        assertThat(session.upstream).isEmpty();
        assertThat(session.user.user()).isEmpty();
    }

    @Test
    void loginShouldNameTheUserUntilTheUpstreamRefusesIt() throws Exception {
        session.tlsActive = true;
        receive("l LOGIN \"us\\\"er\" secret\r\n");
        assertThat(session.user.user()).contains("us\"er");

        completed("l", "NO");
        assertThat(session.user.user()).isEmpty();
        assertThat(session.logins).isZero();

        receive("m LOGIN user secret\r\n");
        completed("m", "OK");
        assertThat(session.logins).isEqualTo(1);
        assertThat(session.user.user()).contains("user");
    }

    @Test
    void authenticateShouldOwnTheClientsLinesUntilItCompletes() throws Exception {
        session.tlsActive = true;
        String response = Base64.getEncoder().encodeToString("\0user\0secret".getBytes(ISO_8859_1));
        receive("a AUTHENTICATE PLAIN\r\n" + response + "\r\nx LOGOUT\r\n");

        assertThat(session.upstream).hasToString("a AUTHENTICATE PLAIN\r\n" + response + "\r\nx LOGOUT\r\n");
        assertThat(session.user.user()).contains("user");
        assertThat(session.logoutRequested).isFalse();

        completed("a", "OK");
        receive("y LOGOUT\r\n");
        assertThat(session.logoutRequested).isTrue();
        assertThat(session.logins).isEqualTo(1);
    }

    @Test
    void idleShouldSwitchTheTimeoutAndRelayDoneAsItIs() throws Exception {
        receive("i IDLE\r\nDONE\r\nj LOGOUT\r\n");

        assertThat(session.upstream).hasToString("i IDLE\r\nDONE\r\nj LOGOUT\r\n");
        assertThat(session.idling).containsExactly(true);
        assertThat(session.logoutRequested).isTrue();

        completed("i", "OK");
        assertThat(session.idling).containsExactly(true, false);
    }

    @Test
    void commandRefusedForItsLiteralShouldBeForgottenAndItsExchangeUndone() throws Exception {
        receive("i IDLE {101}\r\nj NOOP\r\nk NOOP\r\n");

        assertThat(session.replies).containsExactly("i NO [TOOBIG] Literal too large");
        assertThat(session.idling).containsExactly(true, false);
        // Neither IDLE's DONE nor in flight: two more commands fit in the pipelining limit.
        assertThat(session.upstream).hasToString("j NOOP\r\nk NOOP\r\n");
    }

    @Test
    void synchronizingLiteralShouldResumeTheClientAfterTheContinuation() throws Exception {
        receive("a APPEND INBOX {5}\r\nhello\r\n");

        assertThat(commands.paused()).isTrue();
        assertThat(session.upstream).hasToString("a APPEND INBOX {5}\r\n");

        commands.continuationRequested();
        assertThat(session.resumed).containsExactly("later");
        receive("");
        assertThat(session.upstream).hasToString("a APPEND INBOX {5}\r\nhello\r\n");
    }

    @Test
    void commandEndedInsteadOfAContinuationShouldResumeTheClientAtOnce() throws Exception {
        receive("a APPEND INBOX {5}\r\n");
        completed("a", "NO");

        assertThat(session.resumed).containsExactly("now");
        receive("b NOOP\r\n");
        assertThat(session.upstream).hasToString("a APPEND INBOX {5}\r\nb NOOP\r\n");
    }

    private static final class FakeSession implements ClientCommands.Session {
        final SelectedMailbox mailbox = new SelectedMailbox((name, uidValidity) -> { });
        /** Never active: the tests' policy relays APPEND. */
        final AppendInspection appends = new AppendInspection(null, null, null);
        final StringBuilder upstream = new StringBuilder();
        final List<String> replies = new ArrayList<>();
        final List<String> farewells = new ArrayList<>();
        final List<String> startTls = new ArrayList<>();
        final List<String> resumed = new ArrayList<>();
        final List<Boolean> idling = new ArrayList<>();
        final SaslUser user = new SaslUser();
        final SessionLog log = new SessionLog(LoggerFactory.getLogger(ClientCommandsTest.class), "IMAP-PROXY", "test",
            "127.0.0.1", "s", user::user);
        boolean tlsActive;
        boolean startTlsOffered = true;
        boolean authenticated;
        boolean logoutRequested;
        int logins;
        int failedLogins;
        final java.util.Set<String> lockedOutUsers = new java.util.HashSet<>();

        @Override
        public void toUpstream(ByteBuf bytes) {
            upstream.append(bytes.toString(ISO_8859_1));
            bytes.release();
        }

        @Override
        public void reply(String line) {
            replies.add(line);
        }

        @Override
        public void closeWithFarewell(String reason) {
            farewells.add(reason);
        }

        @Override
        public void startTls(String tag) {
            startTls.add(tag);
        }

        @Override
        public void resumeClient(boolean later) {
            resumed.add(later ? "later" : "now");
        }

        @Override
        public ImapCapabilities.ClientLeg clientLeg() {
            return new ImapCapabilities.ClientLeg(tlsActive, startTlsOffered, authenticated, false);
        }

        @Override
        public boolean tlsActive() {
            return tlsActive;
        }

        @Override
        public SaslUser user() {
            return user;
        }

        @Override
        public SessionLog log() {
            return log;
        }

        @Override
        public void loggedIn() {
            authenticated = true;
            logins++;
        }

        @Override
        public void loginFailed(String user, String status) {
            failedLogins++;
        }

        @Override
        public boolean lockedOut(String user) {
            return lockedOutUsers.contains(user);
        }

        @Override
        public void idling(boolean idling) {
            this.idling.add(idling);
        }

        @Override
        public void logoutRequested() {
            logoutRequested = true;
        }

        @Override
        public SelectedMailbox mailbox() {
            return mailbox;
        }

        @Override
        public boolean answersFetchFromViews() {
            return false;
        }

        @Override
        public void startViewFetch(FetchPlan plan) {
            throw new AssertionError("no view fetch expected");
        }

        @Override
        public boolean viewFetchActive() {
            return false;
        }

        @Override
        public boolean readingAhead() {
            return false;
        }

        @Override
        public void commandArrived() {
        }

        @Override
        public AppendInspection appends() {
            return appends;
        }

        @Override
        public boolean inspectsAppend() {
            return false;
        }
    }
}
