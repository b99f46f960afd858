package org.jamesproxy.it.webadmin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.demo.JamesPorts;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator routes over HTTP, in James's own WebAdmin, enabled by {@code extensions.routes} in webadmin.properties
 * (as {@link JamesHome} writes it when the plugin is on).
 */
@EndToEndTest
class MailProxyRoutesTest {
    private static final ProxiedJames JAMES = new ProxiedJames();
    private static final int WEBADMIN = FreePorts.next();
    private static final int PROXY_PLAIN = FreePorts.next();
    private static final int PROXY_TLS = FreePorts.next();

    @RegisterExtension
    static JamesServerExtension jamesServerExtension = new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir ->
        JamesHome.builder(tmpDir.toPath())
            .ports(JamesPorts.builder().imap(JAMES.jamesImap).imaps(JAMES.jamesImaps).smtp(JAMES.jamesSmtp).webAdmin(WEBADMIN).build())
            .serverCertificate(JAMES.serverCertificate)
            .domain(ProxiedJames.DOMAIN)
            .proxy(JAMES.proxyToJames("ops", PROXY_PLAIN, PROXY_TLS).build())
            .write()
            .memoryConfiguration())
        .server(MemoryJamesServerMain::createServer)
        .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
        .build();

    @Test
    void policiesShouldListEachPolicyWithItsListenersAndState() throws Exception {
        // One connection (the greeting read), so the connection counter has something to count.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", PROXY_PLAIN)) {
            socket.setSoTimeout(10_000);
            new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/mailproxy/policies")).GET());
        java.util.regex.Matcher connections = java.util.regex.Pattern.compile("\"imapproxy-connections\":(\\d+)")
            .matcher(response.body());
        assertThat(connections.find()).as(response.body()).isTrue();
        assertThat(Long.parseLong(connections.group(1))).isPositive();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body())
            .contains("\"name\":\"ops\"")
            .contains("\"upstream\":\"localhost:" + JAMES.jamesImaps + "\"")
            .contains("\"kind\":\"plain\"", "\"kind\":\"implicit-tls\"")
            .contains(":" + PROXY_PLAIN + "\"", ":" + PROXY_TLS + "\"")
            .contains("\"listening\":true")
            .doesNotContain("\"listening\":false")
            .containsPattern("\"imapproxy-connections\":\\d+")
            .contains("\"imapproxy-fetch-inspected\":");
    }

    @Test
    void certificatesShouldShowTheProxyServerCertificateAndReloadOnPost() throws Exception {
        HttpResponse<String> status = send(HttpRequest.newBuilder(uri("/mailproxy/certificates")).GET());
        HttpResponse<String> reload = send(HttpRequest.newBuilder(uri("/mailproxy/certificates?reload"))
            .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("Proxy Server certificate").contains("CN=localhost");
        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(reload.body()).contains("\"result\"").contains("Proxy Server certificate");
    }

    @Test
    void postWithoutReloadShouldBeABadRequest() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/mailproxy/certificates"))
            .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("reload");
    }

    @Test
    void indexShouldLinkTheQuarantineAndNameTheMetrics() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/mailproxy")).GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("/mailRepositories/var%2Fmail%2Fquarantine/mails").contains("imapproxy-");
    }

    @Test
    void anOperatorShouldBlockAndUnblockASourceThatTheProxyThenRefuses() throws Exception {
        HttpResponse<String> blocked = send(HttpRequest.newBuilder(uri("/mailproxy/blocked/127.0.0.9?duration=10m&reason=abuse"))
            .PUT(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> listing = send(HttpRequest.newBuilder(uri("/mailproxy/blocked")).GET());

        assertThat(blocked.statusCode()).isEqualTo(204);
        assertThat(listing.body()).contains("\"address\":\"127.0.0.9\"").contains("\"reason\":\"abuse\"")
            .contains("\"policy\":\"admin\"");
        assertThat(greetingFrom("127.0.0.9")).startsWith("* BYE");
        assertThat(greetingFrom("127.0.0.10")).startsWith("* OK");

        HttpResponse<String> lifted = send(HttpRequest.newBuilder(uri("/mailproxy/blocked/127.0.0.9")).DELETE());
        HttpResponse<String> again = send(HttpRequest.newBuilder(uri("/mailproxy/blocked/127.0.0.9")).DELETE());

        assertThat(lifted.statusCode()).isEqualTo(204);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(greetingFrom("127.0.0.9")).startsWith("* OK");
    }

    @Test
    void badBlockRequestsShouldBeRefused() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/mailproxy/blocked/not-an-ip")).PUT(HttpRequest.BodyPublishers.noBody()))
            .statusCode()).isEqualTo(400);
        assertThat(send(HttpRequest.newBuilder(uri("/mailproxy/blocked/127.0.0.9?duration=soon")).PUT(HttpRequest.BodyPublishers.noBody()))
            .body()).contains("duration");
        assertThat(send(HttpRequest.newBuilder(uri("/mailproxy/pools")).GET()).body()).isEqualTo("[]");
    }

    private static String greetingFrom(String source) throws Exception {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setSoTimeout(10_000);
            socket.bind(new java.net.InetSocketAddress(source, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", PROXY_PLAIN), 10_000);
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + WEBADMIN + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
