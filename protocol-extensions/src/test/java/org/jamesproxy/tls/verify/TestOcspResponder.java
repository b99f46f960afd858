package org.jamesproxy.tls.verify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.jamesproxy.tls.pki.CertificateAuthority;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real OCSP responder (RFC 6960 over HTTP GET and POST) on loopback, answering for one CA, signed by the CA itself:
 * serial numbers marked revoked get {@code revoked}, all others {@code good}.
 */
final class TestOcspResponder implements AutoCloseable {
    static TestOcspResponder start(CertificateAuthority ca) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        TestOcspResponder responder = new TestOcspResponder(server, ca);
        server.createContext("/ocsp", responder::handle);
        server.start();
        return responder;
    }

    private final HttpServer server;
    private final CertificateAuthority ca;
    private final Map<BigInteger, Boolean> revoked = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    private TestOcspResponder(HttpServer server, CertificateAuthority ca) {
        this.server = server;
        this.ca = ca;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp";
    }

    void revoke(BigInteger serial) {
        revoked.put(serial, true);
    }

    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            byte[] request;
            if ("POST".equals(exchange.getRequestMethod())) {
                try (InputStream in = exchange.getRequestBody()) {
                    request = in.readNBytes(64 * 1024);
                }
            } else {
                String path = exchange.getRequestURI().getRawPath();
                String encoded = path.substring(path.indexOf("/ocsp") + "/ocsp".length()).replaceFirst("^/", "");
                request = Base64.getDecoder().decode(URLDecoder.decode(encoded, StandardCharsets.US_ASCII));
            }
            byte[] response = answer(new OCSPReq(request));
            exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
            exchange.sendResponseHeaders(200, response.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response);
            }
        } catch (Exception e) {
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    private byte[] answer(OCSPReq request) throws Exception {
        BasicOCSPRespBuilder builder = new JcaBasicOCSPRespBuilder(ca.certificate().getPublicKey(),
            new JcaDigestCalculatorProviderBuilder().build().get(RespID.HASH_SHA1));
        Date now = new Date();
        Date next = Date.from(Instant.now().plus(Duration.ofHours(1)));
        for (Req one : request.getRequestList()) {
            CertificateStatus status = revoked.containsKey(one.getCertID().getSerialNumber())
                ? new RevokedStatus(Date.from(Instant.now().minus(Duration.ofDays(1))), CRLReason.keyCompromise)
                : CertificateStatus.GOOD;
            builder.addResponse(one.getCertID(), status, now, next, null);
        }
        Extension nonce = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null) {
            builder.setResponseExtensions(new Extensions(nonce));
        }
        String algorithm = "EC".equals(ca.certificate().getPublicKey().getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        BasicOCSPResp basic = builder.build(new JcaContentSignerBuilder(algorithm).build(ca.asIssuedCertificate().privateKey()),
            new X509CertificateHolder[]{new JcaX509CertificateHolder(ca.certificate())}, now);
        OCSPResp response = new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic);
        return response.getEncoded();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
