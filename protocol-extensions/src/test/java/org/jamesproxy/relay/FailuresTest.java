package org.jamesproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import javax.crypto.BadPaddingException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;

class FailuresTest {
    @Test
    void aClientAlertShouldBeSaidInWords() {
        DecoderException failure = new DecoderException(new SSLHandshakeException("Received fatal alert: certificate_unknown"));

        assertThat(Failures.describeClientLeg(failure))
            .startsWith("TLS handshake failed: the client rejected the certificate (alert certificate_unknown")
            .endsWith("[SSLHandshakeException: Received fatal alert: certificate_unknown]");
    }

    @Test
    void unknownCaShouldBeNamed() {
        assertThat(Failures.describeClientLeg(new SSLHandshakeException("Received fatal alert: unknown_ca")))
            .contains("unknown CA");
    }

    @Test
    void theAeadPaddingErrorOfARefusingClientShouldBeSaidInWords() {
        SSLException failure = new SSLException("Insufficient buffer remaining for AEAD cipher fragment (2). Needs to be"
            + " more than tag size (16)", new BadPaddingException("Insufficient buffer remaining for AEAD cipher fragment (2)"));

        assertThat(Failures.describeClientLeg(new DecoderException(failure)))
            .startsWith("TLS handshake failed: the client rejected the certificate");
    }

    @Test
    void protocolVersionAndPlaintextShouldBeSaidInWords() {
        assertThat(Failures.describeClientLeg(new SSLHandshakeException("Client requested protocol TLSv1.1 is not enabled or"
            + " supported in server context"))).contains("protocol version");
        assertThat(Failures.describeClientLeg(new NotSslRecordException("not an SSL/TLS record: 4142")))
            .contains("not TLS: the client sent plaintext to a TLS port");
    }

    @Test
    void otherFailuresShouldKeepTheRootCause() {
        assertThat(Failures.describeClientLeg(new IllegalStateException("outer", new java.io.IOException("Connection reset"))))
            .isEqualTo("IOException: Connection reset");
    }
}
