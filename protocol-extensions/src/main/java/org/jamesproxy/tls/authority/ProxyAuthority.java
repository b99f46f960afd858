package org.jamesproxy.tls.authority;

import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.KeyAlgorithm;
import org.jamesproxy.tls.pki.PkiException;
import org.jamesproxy.tls.pki.ServerCertificateRequest;
import org.jamesproxy.tls.pki.Validity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Preconditions;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.io.BaseEncoding;
import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.UncheckedExecutionException;

/**
 * The Proxy Authority: the CA the internal users' devices trust, which the proxy uses to mint a leaf certificate for
 * each upstream host it inspects.
 *
 * <ul>
 *     <li>The minted leaf copies the upstream certificate's subject CN and its DNS / IP SubjectAltNames (so a client
 *     sees the same names it would have seen, including a mismatch an admin chose to allow), or carries the
 *     requested name when there is no upstream certificate.</li>
 *     <li>Validity: from one hour before minting (client clock skew) to the earliest of the upstream certificate's
 *     notAfter, minting time + {@code leafValidity} and the Proxy Authority's own notAfter.</li>
 *     <li>Every leaf certifies the same EC P-256 key pair, generated once per process: minting is one signature, no
 *     key generation. The Proxy Authority may be EC or RSA (an RSA CA signs the EC leaf with SHA256withRSA; the
 *     handshake itself is then signed with ECDSA by the leaf key, which every TLS 1.2/1.3 client supports).</li>
 *     <li>A bounded cache keyed by host name and the upstream certificate's SHA-256 fingerprint: a host is minted once
 *     until its leaf nears its end (or the upstream changes its certificate, or the Proxy Authority is replaced).</li>
 * </ul>
 *
 * <p>Thread-safe; concurrent first contacts for one host mint once (the cache loads per key).</p>
 */
public final class ProxyAuthority implements HostCertificates {
    private static final Logger LOGGER = LoggerFactory.getLogger(ProxyAuthority.class);
    public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(7);
    public static final long DEFAULT_CACHE_SIZE = 10_000;
    /** Minted leaves start this long before minting, for clients whose clock is behind. */
    static final Duration BACKDATE = Duration.ofHours(1);

    private static final class State {
        final CertificateAuthority authority;
        final Cache<MintKey, MintedLeaf> cache;

        State(CertificateAuthority authority, Cache<MintKey, MintedLeaf> cache) {
            this.authority = authority;
            this.cache = cache;
        }
    }

    private static final class MintKey {
        final String host;
        final String upstreamFingerprint;

        MintKey(String host, String upstreamFingerprint) {
            this.host = host;
            this.upstreamFingerprint = upstreamFingerprint;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MintKey && ((MintKey) o).host.equals(host) && ((MintKey) o).upstreamFingerprint.equals(upstreamFingerprint);
        }

        @Override
        public int hashCode() {
            return Objects.hash(host, upstreamFingerprint);
        }
    }

    private static final class MintedLeaf {
        final KeyStore.PrivateKeyEntry entry;
        /** After this the cached leaf is minted again. */
        final Instant renewAt;

        MintedLeaf(KeyStore.PrivateKeyEntry entry, Instant renewAt) {
            this.entry = entry;
            this.renewAt = renewAt;
        }
    }

    public static ProxyAuthority create(CertificateAuthority authority) {
        return create(authority, DEFAULT_LEAF_VALIDITY, DEFAULT_CACHE_SIZE, Clock.systemUTC());
    }

    public static ProxyAuthority create(CertificateAuthority authority, Duration leafValidity, long cacheSize, Clock clock) {
        Preconditions.checkArgument(leafValidity.compareTo(Duration.ofHours(1)) >= 0, "leaf validity must be at least 1h: %s", leafValidity);
        Preconditions.checkArgument(cacheSize > 0, "cache size must be positive");
        return new ProxyAuthority(authority, KeyAlgorithm.EC_P256.generateKeyPair(new SecureRandom()), leafValidity, cacheSize, clock);
    }

    private final KeyPair leafKeyPair;
    private final Duration leafValidity;
    private final long cacheSize;
    private final Clock clock;
    private final AtomicReference<State> state;
    private final AtomicLong mints = new AtomicLong();
    /** The upstream's certificate object is the same for every connection of a session pool: hash it once. */
    private final Cache<X509Certificate, String> fingerprints = CacheBuilder.newBuilder().weakKeys().maximumSize(10_000).build();

    private ProxyAuthority(CertificateAuthority authority, KeyPair leafKeyPair, Duration leafValidity, long cacheSize, Clock clock) {
        this.leafKeyPair = leafKeyPair;
        this.leafValidity = leafValidity;
        this.cacheSize = cacheSize;
        this.clock = clock;
        this.state = new AtomicReference<>(new State(authority, newCache()));
    }

    private Cache<MintKey, MintedLeaf> newCache() {
        // expireAfterWrite frees memory of hosts no longer visited; renewAt (checked on every hit) handles leaves
        // that end earlier because the upstream's certificate does.
        return CacheBuilder.newBuilder()
            .maximumSize(cacheSize)
            .expireAfterWrite(leafValidity.dividedBy(2))
            .build();
    }

    @Override
    public KeyStore.PrivateKeyEntry forHost(String hostName, Optional<X509Certificate> upstreamLeaf) {
        String host = normalize(hostName);
        State current = state.get();
        MintKey key = new MintKey(host, upstreamLeaf.map(this::cachedFingerprint).orElse("-"));
        try {
            MintedLeaf cached = current.cache.get(key, () -> mint(current.authority, host, upstreamLeaf));
            if (clock.instant().isAfter(cached.renewAt)) {
                current.cache.asMap().remove(key, cached);
                cached = current.cache.get(key, () -> mint(current.authority, host, upstreamLeaf));
            }
            return cached.entry;
        } catch (ExecutionException | UncheckedExecutionException e) {
            throw new PkiException("cannot mint a certificate for " + host + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private MintedLeaf mint(CertificateAuthority authority, String host, Optional<X509Certificate> upstreamLeaf) {
        Instant now = clock.instant();
        Instant notAfter = earliest(now.plus(leafValidity), authority.certificate().getNotAfter().toInstant());
        if (upstreamLeaf.isPresent()) {
            notAfter = earliest(notAfter, upstreamLeaf.get().getNotAfter().toInstant());
        }
        // An upstream certificate that already expired (allowed by the profile) gives an expired leaf: the client
        // sees what the upstream really presents.
        Instant notBefore = earliest(now.minus(BACKDATE), notAfter.minus(BACKDATE));
        ServerCertificateRequest.Builder request = ServerCertificateRequest.builder()
            .keyAlgorithm(KeyAlgorithm.EC_P256)
            .validity(Validity.between(notBefore, notAfter));
        names(request, host, upstreamLeaf);
        IssuedCertificate issued = authority.issue(request.build(), leafKeyPair);
        mints.incrementAndGet();
        LOGGER.debug("Proxy Authority minted a certificate for {} ({}), valid until {}", host,
            issued.certificate().getSubjectX500Principal().getName(), notAfter);
        Instant renewAt = notAfter.isAfter(now)
            ? earliest(notAfter.minus(leafValidity.dividedBy(4)), now.plus(leafValidity.dividedBy(2)))
            : now.plus(leafValidity.dividedBy(2));
        return new MintedLeaf(new KeyStore.PrivateKeyEntry(leafKeyPair.getPrivate(), issued.chainArray()), renewAt);
    }

    /** Subject CN and SubjectAltNames from the upstream certificate, or the host name when it has none. */
    private static void names(ServerCertificateRequest.Builder request, String host, Optional<X509Certificate> upstreamLeaf) {
        Optional<String> commonName = upstreamLeaf.flatMap(ProxyAuthority::commonName);
        int copied = upstreamLeaf.map(leaf -> copySubjectAltNames(request, leaf)).orElse(0);
        if (copied == 0) {
            String name = commonName.filter(ProxyAuthority::looksLikeHostName).map(ProxyAuthority::normalize).orElse(host);
            addName(request, name);
        }
        request.commonName(commonName.orElse(host));
    }

    private static int copySubjectAltNames(ServerCertificateRequest.Builder request, X509Certificate leaf) {
        Collection<List<?>> altNames;
        try {
            altNames = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            LOGGER.warn("Unreadable SubjectAltName in the upstream certificate of {}: {}", leaf.getSubjectX500Principal(), e.getMessage());
            return 0;
        }
        if (altNames == null) {
            return 0;
        }
        int copied = 0;
        for (List<?> altName : altNames) {
            int type = (Integer) altName.get(0);
            Object value = altName.get(1);
            if (type == 2 && value instanceof String && looksLikeHostName((String) value)) {
                request.dnsName(normalize((String) value));
                copied++;
            } else if (type == 7 && value instanceof String && InetAddresses.isInetAddress((String) value)) {
                request.ipAddress((String) value);
                copied++;
            }
        }
        return copied;
    }

    private static void addName(ServerCertificateRequest.Builder request, String name) {
        if (InetAddresses.isInetAddress(name)) {
            request.ipAddress(name);
        } else {
            request.dnsName(name);
        }
    }

    private static Optional<String> commonName(X509Certificate certificate) {
        RDN[] rdns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        if (rdns.length == 0) {
            return Optional.empty();
        }
        return Optional.of(IETFUtils.valueToString(rdns[0].getFirst().getValue())).filter(cn -> !cn.isBlank());
    }

    private static boolean looksLikeHostName(String name) {
        return !name.isBlank() && name.chars().noneMatch(c -> c <= ' ' || c == ',' || c == '/' || c == '@')
            && !InetAddresses.isInetAddress(name);
    }

    private static String normalize(String hostName) {
        String lower = hostName.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private String cachedFingerprint(X509Certificate certificate) {
        String known = fingerprints.getIfPresent(certificate);
        if (known == null) {
            known = fingerprint(certificate);
            fingerprints.put(certificate, known);
        }
        return known;
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            return BaseEncoding.base16().encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new PkiException("cannot fingerprint " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * Uses another CA from now on (a reload). When it is a different certificate or key, every cached leaf is dropped:
     * they were signed by the old one. Returns whether anything changed.
     */
    public boolean replaceAuthority(CertificateAuthority authority) {
        State current = state.get();
        boolean same = current.authority.certificate().equals(authority.certificate())
            && current.authority.asIssuedCertificate().privateKey().equals(authority.asIssuedCertificate().privateKey());
        if (same) {
            return false;
        }
        state.set(new State(authority, newCache()));
        current.cache.invalidateAll();
        LOGGER.info("Proxy Authority replaced: now {} (serial {}, until {}); the minted certificate cache was cleared",
            authority.certificate().getSubjectX500Principal().getName(), authority.certificate().getSerialNumber().toString(16),
            authority.certificate().getNotAfter().toInstant());
        return true;
    }

    /** The Proxy Authority certificate: what the users' devices must trust. */
    public X509Certificate certificate() {
        return state.get().authority.certificate();
    }

    /** How many leaves were minted since start (cache misses). */
    public long mintCount() {
        return mints.get();
    }

    public long cachedCount() {
        return state.get().cache.size();
    }

    public Duration leafValidity() {
        return leafValidity;
    }
}
