package org.jamesproxy.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.jamesproxy.pop3.Pop3Decision.Answer;
import org.jamesproxy.pop3.Pop3Decision.Completion;
import org.jamesproxy.pop3.Pop3Decision.Forward;
import org.jamesproxy.pop3.Pop3Decision.Refuse;
import org.jamesproxy.pop3.Pop3Decision.Reply;
import org.jamesproxy.pop3.Pop3Decision.StartTls;
import org.jamesproxy.relay.SaslUser;
import org.junit.jupiter.api.Test;

/** The command table and its handlers, without a connection: a line and a session state in, a decision out. */
class Pop3CommandsTest {
    private static final String PLAIN = base64("\0alice\0secret");

    private static String base64(String value) {
        return java.util.Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A session state to decide against; each test sets what it needs. */
    private static final class State implements Pop3CommandHandler.Context {
        boolean tlsActive;
        boolean stlsOffered = true;
        boolean plaintextAuthAllowed;
        boolean implicitTls;
        boolean authenticated;
        Optional<String> apopTimestamp = Optional.empty();
        final SaslUser user = new SaslUser();

        @Override
        public Pop3Capabilities.ClientLeg clientLeg() {
            return new Pop3Capabilities.ClientLeg(tlsActive, stlsOffered && !implicitTls, plaintextAuthAllowed);
        }

        @Override
        public boolean implicitTls() {
            return implicitTls;
        }

        @Override
        public boolean authenticated() {
            return authenticated;
        }

        @Override
        public Optional<String> apopTimestamp() {
            return apopTimestamp;
        }

        @Override
        public SaslUser user() {
            return user;
        }

        boolean inspectsPartialRetrieval;

        @Override
        public boolean inspectsPartialRetrieval() {
            return inspectsPartialRetrieval;
        }

        final java.util.Set<String> lockedOutUsers = new java.util.HashSet<>();

        @Override
        public boolean lockedOut(String name) {
            return lockedOutUsers.contains(name);
        }
    }

    private final State state = new State();

    private Pop3Decision decide(String line) {
        return Pop3Commands.decide(line + "\r\n", state);
    }

    @Test
    void transactionCommandsShouldBeForwardedWithTheirAnswerFraming() {
        assertThat(decide("STAT")).isEqualTo(Forward.of(Answer.SINGLE_LINE));
        assertThat(decide("dele 1")).isEqualTo(Forward.of(Answer.SINGLE_LINE));
        assertThat(decide("LIST")).isEqualTo(Forward.of(Answer.LISTING));
        assertThat(decide("LIST 2")).isEqualTo(Forward.of(Answer.SINGLE_LINE));
        assertThat(decide("UIDL")).isEqualTo(Forward.of(Answer.LISTING));
        assertThat(decide("CAPA")).isEqualTo(Forward.of(Answer.CAPA));
        assertThat(decide("RETR 1")).isEqualTo(Forward.of(Answer.MESSAGE));
        assertThat(decide("QUIT")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.QUIT));
    }

    @Test
    void topShouldAskTheWholeMessageWhenPartialRetrievalIsAnsweredFromTheInspectedMessage() {
        state.inspectsPartialRetrieval = true;

        Forward top = (Forward) decide("TOP 3 10");
        assertThat(top).isEqualTo(new Forward(Answer.MESSAGE, 10, Completion.NONE, Optional.of("TOP 3 2147483647")));
        assertThat(top.topOfWholeMessage()).isTrue();
        assertThat(decide("TOP 3 x")).as("a malformed TOP goes as it is: the server answers it")
            .isEqualTo(new Forward(Answer.MESSAGE, 0, Completion.NONE));
        assertThat(((Forward) decide("RETR 3")).topOfWholeMessage()).isFalse();
    }

    @Test
    void topShouldCarryItsLineCountAndCountABadOneAsZero() {
        assertThat(decide("TOP 1 5")).isEqualTo(new Forward(Answer.MESSAGE, 5, Completion.NONE));
        assertThat(decide("TOP 1 -3")).isEqualTo(new Forward(Answer.MESSAGE, 0, Completion.NONE));
        assertThat(decide("TOP 1 x")).isEqualTo(new Forward(Answer.MESSAGE, 0, Completion.NONE));
        assertThat(decide("TOP 1")).isEqualTo(new Forward(Answer.MESSAGE, 0, Completion.NONE));
    }

    @Test
    void aLockedOutUserShouldBeRefusedHereWithTheAnswerOfAWrongPassword() {
        state.tlsActive = true;
        state.lockedOutUsers.add("alice");

        assertThat(decide("USER alice")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.USER));
        assertThat(decide("PASS secret")).isInstanceOfSatisfying(Refuse.class,
            refuse -> assertThat(refuse.line()).isEqualTo("-ERR [AUTH] Authentication failed"));
        assertThat(decide("AUTH PLAIN " + PLAIN)).isInstanceOf(Refuse.class);
        assertThat(decide("USER bob")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.USER));
        assertThat(decide("PASS secret")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
    }

    @Test
    void unknownAndEmptyCommandsShouldBeAnsweredLocally() {
        assertThat(decide("XTND XMIT")).isEqualTo(new Reply("-ERR Command not available through this proxy"));
        assertThat(decide("   ")).isEqualTo(new Reply("-ERR Empty command"));
    }

    @Test
    void cleartextCredentialsShouldBeRefusedOnAPlainLegWithoutTouchingTheUser() {
        assertThat(decide("USER alice")).isInstanceOf(Refuse.class);
        assertThat(decide("PASS secret")).isInstanceOf(Refuse.class);
        assertThat(decide("AUTH plain " + PLAIN)).isEqualTo(new Refuse(
            "-ERR Use STLS before sending credentials on this connection",
            "refused AUTH PLAIN on a plain connection before STLS"));
        assertThat(state.user.user()).isEmpty();
    }

    @Test
    void credentialsShouldBeForwardedOverTlsAndNameTheUser() {
        state.tlsActive = true;

        assertThat(decide("USER alice")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.USER));
        assertThat(state.user.user()).contains("alice");
        assertThat(decide("PASS secret")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
        assertThat(decide("AUTH PLAIN " + PLAIN)).isEqualTo(Forward.of(Answer.SASL, Completion.LOGIN));
        assertThat(state.user.user()).contains("alice");
    }

    @Test
    void authWithoutMechanismShouldBeAListingAndEveryMechanismShouldPassOverTls() {
        state.tlsActive = true;

        assertThat(decide("AUTH")).isEqualTo(Forward.of(Answer.LISTING));
        assertThat(decide("AUTH CRAM-MD5")).isEqualTo(Forward.of(Answer.SASL, Completion.LOGIN));
        assertThat(decide("AUTH X-UNKNOWN")).isEqualTo(Forward.of(Answer.SASL, Completion.LOGIN));
    }

    @Test
    void everyAuthAndApopShouldBeRefusedOnAPlainLeg() {
        state.apopTimestamp = Optional.of("<1896.697170952@dbc.mtview.ca.us>");

        assertThat(decide("AUTH")).isEqualTo(new Refuse("-ERR Use STLS before sending credentials on this connection",
            "refused AUTH on a plain connection before STLS"));
        assertThat(decide("AUTH CRAM-MD5")).isInstanceOf(Refuse.class);
        assertThat(decide("AUTH X-UNKNOWN dGVzdA==")).isInstanceOf(Refuse.class);
        assertThat(decide("APOP alice c4c9334bac560ecc979e58001b3e22fb")).isEqualTo(new Refuse(
            "-ERR Use STLS before sending credentials on this connection", "refused APOP on a plain connection before STLS"));
        assertThat(state.user.user()).isEmpty();
    }

    @Test
    void everyAuthAndApopShouldPassInClearWhenThePolicyAllowsPlaintextAuth() {
        state.plaintextAuthAllowed = true;
        state.apopTimestamp = Optional.of("<1896.697170952@dbc.mtview.ca.us>");

        assertThat(decide("AUTH CRAM-MD5")).isEqualTo(Forward.of(Answer.SASL, Completion.LOGIN));
        assertThat(decide("APOP alice c4c9334bac560ecc979e58001b3e22fb")).isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
    }

    @Test
    void apopShouldNeedTheUpstreamsChallenge() {
        state.tlsActive = true;
        assertThat(decide("APOP alice c4c9334bac560ecc979e58001b3e22fb")).isEqualTo(new Reply("-ERR APOP is not available"));

        state.apopTimestamp = Optional.of("<1896.697170952@dbc.mtview.ca.us>");
        assertThat(decide("APOP alice c4c9334bac560ecc979e58001b3e22fb"))
            .isEqualTo(Forward.of(Answer.SINGLE_LINE, Completion.LOGIN));
        assertThat(state.user.user()).contains("alice");
    }

    @Test
    void stlsShouldStartTlsOnlyOnAPlainLegThatOffersItBeforeLogin() {
        assertThat(decide("STLS")).isEqualTo(new StartTls());

        state.authenticated = true;
        assertThat(decide("STLS")).isEqualTo(new Reply("-ERR STLS is only permitted before authentication"));

        state.stlsOffered = false;
        assertThat(decide("STLS")).isEqualTo(new Reply("-ERR STLS is not available"));

        state.tlsActive = true;
        assertThat(decide("STLS")).isEqualTo(new Reply("-ERR TLS is already active"));

        State implicit = new State();
        implicit.implicitTls = true;
        assertThat(Pop3Commands.decide("STLS", implicit)).isEqualTo(new Reply("-ERR TLS is already active"));
    }
}
