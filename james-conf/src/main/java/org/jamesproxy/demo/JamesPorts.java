package org.jamesproxy.demo;

import java.util.Objects;
import java.util.OptionalInt;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * Ports of James's <em>own</em> listeners in a {@link JamesHome}. An absent port means that listener is written with
 * {@code enabled="false"}. Proxy ports belong to {@link ProxySettings}.
 */
public final class JamesPorts {
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private OptionalInt imap = OptionalInt.empty();
        private OptionalInt imaps = OptionalInt.empty();
        private OptionalInt smtp = OptionalInt.empty();
        private OptionalInt pop3 = OptionalInt.empty();
        private OptionalInt pop3s = OptionalInt.empty();
        private OptionalInt lmtp = OptionalInt.empty();
        private OptionalInt smtpBehindProxy = OptionalInt.empty();
        private OptionalInt imapsBehindProxy = OptionalInt.empty();
        private OptionalInt pop3sBehindProxy = OptionalInt.empty();
        private OptionalInt webAdmin = OptionalInt.empty();
        private OptionalInt jmx = OptionalInt.empty();

        private Builder() {
        }

        /** IMAP, plain + STARTTLS. */
        public Builder imap(int port) {
            imap = port(port);
            return this;
        }

        /** IMAPS, implicit TLS. */
        public Builder imaps(int port) {
            imaps = port(port);
            return this;
        }

        /** SMTP, plain + STARTTLS. */
        public Builder smtp(int port) {
            smtp = port(port);
            return this;
        }

        /** POP3, plain + STLS. */
        public Builder pop3(int port) {
            pop3 = port(port);
            return this;
        }

        /** POP3S, implicit TLS. */
        public Builder pop3s(int port) {
            pop3s = port(port);
            return this;
        }

        /**
         * SMTP (plain + STARTTLS) for the mail proxy only: {@code proxyRequired} (every connection opens with a PROXY
         * header, so James sees the real client), no authorized addresses (relaying needs AUTH), AUTH always announced.
         */
        public Builder smtpBehindProxy(int port) {
            smtpBehindProxy = port(port);
            return this;
        }

        /** IMAPS for the mail proxy only: {@code proxyRequired}, the PROXY header before the TLS handshake. */
        public Builder imapsBehindProxy(int port) {
            imapsBehindProxy = port(port);
            return this;
        }

        /** POP3S for the mail proxy only: {@code proxyRequired}, the PROXY header before the TLS handshake. */
        public Builder pop3sBehindProxy(int port) {
            pop3sBehindProxy = port(port);
            return this;
        }

        public Builder lmtp(int port) {
            lmtp = port(port);
            return this;
        }

        /** WebAdmin REST API on loopback, without authentication. Off unless set. */
        public Builder webAdmin(int port) {
            webAdmin = port(port);
            return this;
        }

        /** JMX on 127.0.0.1. Off unless set. */
        public Builder jmx(int port) {
            jmx = port(port);
            return this;
        }

        public JamesPorts build() {
            return new JamesPorts(this);
        }

        private static OptionalInt port(int port) {
            Preconditions.checkArgument(port > 0 && port <= 65535, "port out of range: %s", port);
            return OptionalInt.of(port);
        }
    }

    private final OptionalInt imap;
    private final OptionalInt imaps;
    private final OptionalInt smtp;
    private final OptionalInt pop3;
    private final OptionalInt pop3s;
    private final OptionalInt lmtp;
    private final OptionalInt smtpBehindProxy;
    private final OptionalInt imapsBehindProxy;
    private final OptionalInt pop3sBehindProxy;
    private final OptionalInt webAdmin;
    private final OptionalInt jmx;

    private JamesPorts(Builder builder) {
        this.imap = builder.imap;
        this.imaps = builder.imaps;
        this.smtp = builder.smtp;
        this.pop3 = builder.pop3;
        this.pop3s = builder.pop3s;
        this.lmtp = builder.lmtp;
        this.smtpBehindProxy = builder.smtpBehindProxy;
        this.imapsBehindProxy = builder.imapsBehindProxy;
        this.pop3sBehindProxy = builder.pop3sBehindProxy;
        this.webAdmin = builder.webAdmin;
        this.jmx = builder.jmx;
    }

    public OptionalInt imap() {
        return imap;
    }

    public OptionalInt imaps() {
        return imaps;
    }

    public OptionalInt smtp() {
        return smtp;
    }

    public OptionalInt pop3() {
        return pop3;
    }

    public OptionalInt pop3s() {
        return pop3s;
    }

    public OptionalInt lmtp() {
        return lmtp;
    }

    public OptionalInt smtpBehindProxy() {
        return smtpBehindProxy;
    }

    public OptionalInt imapsBehindProxy() {
        return imapsBehindProxy;
    }

    public OptionalInt pop3sBehindProxy() {
        return pop3sBehindProxy;
    }

    public OptionalInt webAdmin() {
        return webAdmin;
    }

    public OptionalInt jmx() {
        return jmx;
    }

    /** Whether any listener uses TLS, i.e. needs the keystore. */
    boolean needsKeystore() {
        return imap.isPresent() || imaps.isPresent() || smtp.isPresent() || pop3.isPresent() || pop3s.isPresent()
            || smtpBehindProxy.isPresent() || imapsBehindProxy.isPresent() || pop3sBehindProxy.isPresent();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof JamesPorts) {
            JamesPorts that = (JamesPorts) o;
            return imap.equals(that.imap) && imaps.equals(that.imaps) && smtp.equals(that.smtp) && pop3.equals(that.pop3)
                && pop3s.equals(that.pop3s) && lmtp.equals(that.lmtp) && webAdmin.equals(that.webAdmin)
                && jmx.equals(that.jmx) && smtpBehindProxy.equals(that.smtpBehindProxy)
                && imapsBehindProxy.equals(that.imapsBehindProxy) && pop3sBehindProxy.equals(that.pop3sBehindProxy);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(imap, imaps, smtp, pop3, pop3s, lmtp, webAdmin, jmx, smtpBehindProxy, imapsBehindProxy,
            pop3sBehindProxy);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).omitNullValues()
            .add("imap", imap.isPresent() ? imap.getAsInt() : null)
            .add("imaps", imaps.isPresent() ? imaps.getAsInt() : null)
            .add("smtp", smtp.isPresent() ? smtp.getAsInt() : null)
            .add("pop3", pop3.isPresent() ? pop3.getAsInt() : null)
            .add("pop3s", pop3s.isPresent() ? pop3s.getAsInt() : null)
            .add("lmtp", lmtp.isPresent() ? lmtp.getAsInt() : null)
            .add("smtpBehindProxy", smtpBehindProxy.isPresent() ? smtpBehindProxy.getAsInt() : null)
            .add("imapsBehindProxy", imapsBehindProxy.isPresent() ? imapsBehindProxy.getAsInt() : null)
            .add("pop3sBehindProxy", pop3sBehindProxy.isPresent() ? pop3sBehindProxy.getAsInt() : null)
            .add("webAdmin", webAdmin.isPresent() ? webAdmin.getAsInt() : null)
            .add("jmx", jmx.isPresent() ? jmx.getAsInt() : null)
            .toString();
    }
}
