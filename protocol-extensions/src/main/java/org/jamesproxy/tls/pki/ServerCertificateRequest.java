package org.jamesproxy.tls.pki;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * What a TLS server certificate should contain: DNS names and IP addresses (all go into the SubjectAltName, which is what
 * TLS clients check), the key algorithm and the validity window.
 *
 * <p>The subject is {@code CN=<first DNS name>} (or the first IP address when there is no DNS name) unless
 * {@link Builder#commonName(String)} says otherwise; clients ignore the CN when a SubjectAltName is present.</p>
 *
 * <pre>{@code
 * ServerCertificateRequest.builder().dnsName("localhost").ipAddress("127.0.0.1").build();          // EC P-256, 825 days
 * ServerCertificateRequest.forNames("mail.example", "imap.example").keyAlgorithm(RSA_2048).build();
 * ServerCertificateRequest.builder().dnsName("localhost")
 *     .validity(Validity.between(lastYear, yesterday)).build();                                    // an expired certificate
 * }</pre>
 */
public final class ServerCertificateRequest {
    /** 825 days: the longest validity Apple's TLS clients accept for a server certificate. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(825);

    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with DNS names. */
    public static Builder forNames(String... dnsNames) {
        Builder builder = builder();
        for (String name : dnsNames) {
            builder.dnsName(name);
        }
        return builder;
    }

    public static final class Builder {
        private final List<String> dnsNames = new ArrayList<>();
        private final List<InetAddress> ipAddresses = new ArrayList<>();
        private Optional<String> commonName = Optional.empty();
        private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
        private Optional<Validity> validity = Optional.empty();
        private Optional<String> ocspResponder = Optional.empty();

        private Builder() {
        }

        public Builder dnsName(String dnsName) {
            Preconditions.checkArgument(dnsName != null && !dnsName.isBlank(), "DNS name must not be blank");
            Preconditions.checkArgument(!InetAddresses.isInetAddress(dnsName),
                "%s is an IP address: use ipAddress()", dnsName);
            dnsNames.add(dnsName);
            return this;
        }

        public Builder dnsNames(List<String> names) {
            names.forEach(this::dnsName);
            return this;
        }

        /** An IP address literal (IPv4 or IPv6); never resolved through DNS. */
        public Builder ipAddress(String literal) {
            Preconditions.checkArgument(InetAddresses.isInetAddress(literal), "%s is not an IP address literal", literal);
            return ipAddress(InetAddresses.forString(literal));
        }

        public Builder ipAddress(InetAddress address) {
            ipAddresses.add(Objects.requireNonNull(address));
            return this;
        }

        public Builder commonName(String commonName) {
            this.commonName = Optional.of(commonName);
            return this;
        }

        public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
            this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm);
            return this;
        }

        /** Valid from now (minus {@link Validity#CLOCK_SKEW}) for this long. */
        public Builder validFor(Duration duration) {
            return validity(Validity.startingNow(duration));
        }

        /** An Authority Information Access extension naming this OCSP responder URL. */
        public Builder ocspResponder(String url) {
            this.ocspResponder = Optional.of(url);
            return this;
        }

        /** Exact window, e.g. an already expired one. */
        public Builder validity(Validity validity) {
            this.validity = Optional.of(validity);
            return this;
        }

        public ServerCertificateRequest build() {
            Preconditions.checkState(!dnsNames.isEmpty() || !ipAddresses.isEmpty(),
                "A server certificate needs at least one DNS name or IP address");
            String cn = commonName.orElseGet(() -> dnsNames.isEmpty()
                ? ipAddresses.get(0).getHostAddress()
                : dnsNames.get(0));
            return new ServerCertificateRequest(ImmutableList.copyOf(dnsNames), ImmutableList.copyOf(ipAddresses), cn,
                keyAlgorithm, validity.orElseGet(() -> Validity.startingNow(DEFAULT_VALIDITY)), ocspResponder);
        }
    }

    private final ImmutableList<String> dnsNames;
    private final ImmutableList<InetAddress> ipAddresses;
    private final String commonName;
    private final KeyAlgorithm keyAlgorithm;
    private final Validity validity;
    private final Optional<String> ocspResponder;

    private ServerCertificateRequest(ImmutableList<String> dnsNames, ImmutableList<InetAddress> ipAddresses, String commonName,
                                     KeyAlgorithm keyAlgorithm, Validity validity, Optional<String> ocspResponder) {
        this.ocspResponder = ocspResponder;
        this.dnsNames = dnsNames;
        this.ipAddresses = ipAddresses;
        this.commonName = commonName;
        this.keyAlgorithm = keyAlgorithm;
        this.validity = validity;
    }

    public ImmutableList<String> dnsNames() {
        return dnsNames;
    }

    public ImmutableList<InetAddress> ipAddresses() {
        return ipAddresses;
    }

    public String commonName() {
        return commonName;
    }

    public KeyAlgorithm keyAlgorithm() {
        return keyAlgorithm;
    }

    public Validity validity() {
        return validity;
    }

    /** The OCSP responder URL to name in an AIA extension, if any. */
    public Optional<String> ocspResponder() {
        return ocspResponder;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ServerCertificateRequest) {
            ServerCertificateRequest that = (ServerCertificateRequest) o;
            return dnsNames.equals(that.dnsNames) && ipAddresses.equals(that.ipAddresses)
                && commonName.equals(that.commonName) && keyAlgorithm == that.keyAlgorithm
                && validity.equals(that.validity) && ocspResponder.equals(that.ocspResponder);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dnsNames, ipAddresses, commonName, keyAlgorithm, validity, ocspResponder);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("dnsNames", dnsNames)
            .add("ipAddresses", ipAddresses)
            .add("commonName", commonName)
            .add("keyAlgorithm", keyAlgorithm)
            .add("validity", validity)
            .toString();
    }
}
