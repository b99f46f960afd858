package org.jamesproxy.relay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SaslUserTest {
    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(UTF_8));
    }

    @Test
    void plainInitialResponseShouldNameTheAuthenticationIdentity() {
        SaslUser user = new SaslUser();

        user.start("plain", Optional.of(base64("admin\0alice@example.com\0secret")));

        assertThat(user.user()).contains("alice@example.com");
    }

    @Test
    void plainResponseAfterTheChallengeShouldNameTheUser() {
        SaslUser user = new SaslUser();
        user.start("PLAIN", Optional.empty());

        user.onResponse(base64("\0bob\0secret"));

        assertThat(user.user()).contains("bob");
    }

    @Test
    void plainWithAnEmptyPasswordShouldStillNameTheUser() {
        SaslUser user = new SaslUser();

        user.start("PLAIN", Optional.of(base64("\0carol\0")));

        assertThat(user.user()).contains("carol");
    }

    @Test
    void loginShouldTakeTheFirstResponseAndNeverThePassword() {
        SaslUser user = new SaslUser();
        user.start("LOGIN", Optional.empty());

        user.onResponse(base64("dave"));
        user.onResponse(base64("password"));

        assertThat(user.user()).contains("dave");
    }

    @Test
    void anEmptyInitialResponseMarkerOrACancelShouldLearnNothing() {
        SaslUser user = new SaslUser();
        user.start("PLAIN", Optional.of("="));
        user.onResponse("*");

        assertThat(user.user()).isEmpty();
    }

    @Test
    void otherMechanismsShouldLearnNothing() {
        SaslUser user = new SaslUser();
        user.start("CRAM-MD5", Optional.empty());

        user.onResponse(base64("erin 4f3a..."));

        assertThat(user.user()).isEmpty();
    }

    @Test
    void forgetShouldClearAFailedLoginAndANewExchangeShouldLearnAgain() {
        SaslUser user = new SaslUser();
        user.start("PLAIN", Optional.of(base64("\0frank\0wrong")));
        user.forget();
        assertThat(user.user()).isEmpty();

        user.start("PLAIN", Optional.of(base64("\0grace\0right")));

        assertThat(user.user()).contains("grace");
    }

    @Test
    void namedShouldIgnoreAnEmptyName() {
        SaslUser user = new SaslUser();

        user.named(Optional.of(""));

        assertThat(user.user()).isEmpty();
    }
}
