package org.jamesproxy.modules.webadmin;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.modules.MailProxyService;
import org.jamesproxy.policy.BlockedSite;
import org.jamesproxy.tls.reload.ReloadableMaterial;
import org.jamesproxy.values.InvalidValueException;
import org.jamesproxy.values.TypedValues;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import spark.Request;
import spark.Response;
import spark.Service;

/**
 * Operator views in James's WebAdmin, enabled with {@code extensions.routes=org.jamesproxy.modules.webadmin.MailProxyRoutes}
 * in {@code conf/webadmin.properties} (authentication and TLS are WebAdmin's own):
 * <ul>
 *     <li>{@code GET /mailproxy}: where to look (these routes, James's quarantine repository, the metric names);</li>
 *     <li>{@code GET /mailproxy/policies}: each enabled policy, its listeners (address, listening or not), upstream and
 *     its protocol's counters;</li>
 *     <li>{@code GET /mailproxy/certificates}: the Proxy Server certificates and Proxy Authority in use;</li>
 *     <li>{@code POST /mailproxy/certificates?reload}: re-reads every certificate file now (also JMX
 *     {@code org.apache.james:type=server,name=mailproxy-tls}, operation {@code reloadCertificates});</li>
 *     <li>{@code GET /mailproxy/blocked}: the blocked sites (address, until, reason, policy), from the shared state;
 *     {@code PUT /mailproxy/blocked/{address}?duration=1h&reason=...} blocks one by hand, {@code DELETE} lifts it;</li>
 *     <li>{@code GET /mailproxy/pools}: every pooled upstream's members, up or down, connections, last health check.</li>
 * </ul>
 */
public class MailProxyRoutes implements Routes {
    public static final String BASE_PATH = "/mailproxy";
    /** James's WebAdmin route of the default quarantine repository (var/mail/quarantine). */
    static final String QUARANTINE = "/mailRepositories/var%2Fmail%2Fquarantine/mails";

    private final MailProxyService service;
    private final ObjectMapper json = new ObjectMapper();

    @Inject
    public MailProxyRoutes(MailProxyService service) {
        this.service = service;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service spark) {
        spark.get(BASE_PATH, (request, response) -> write(response, 200, index()));
        spark.get(BASE_PATH + "/policies", (request, response) -> write(response, 200, policies()));
        spark.get(BASE_PATH + "/certificates", (request, response) -> write(response, 200, certificates()));
        spark.post(BASE_PATH + "/certificates", this::reload);
        spark.get(BASE_PATH + "/blocked", (request, response) -> write(response, 200, blocked()));
        spark.put(BASE_PATH + "/blocked/:address", this::block);
        spark.delete(BASE_PATH + "/blocked/:address", this::unblock);
        spark.get(BASE_PATH + "/pools", (request, response) -> write(response, 200, pools()));
    }

    private List<Map<String, Object>> blocked() {
        return service.policyState().blockedSites(Instant.now()).join().stream().map(site -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("address", site.address());
            view.put("until", site.until().toString());
            view.put("reason", site.reason());
            view.put("policy", site.policy());
            return view;
        }).collect(Collectors.toList());
    }

    private Object block(Request request, Response response) throws JsonProcessingException {
        String address = request.params("address");
        if (!com.google.common.net.InetAddresses.isInetAddress(address)) {
            return badRequest(response, "'" + address + "' is not an IP address");
        }
        Duration duration;
        try {
            duration = TypedValues.duration(Optional.ofNullable(request.queryParams("duration")).orElse("1h"));
        } catch (InvalidValueException e) {
            return badRequest(response, "duration: " + e.getExpectation());
        }
        String reason = Optional.ofNullable(request.queryParams("reason")).orElse("blocked by an operator");
        // The list's own form of the address (IPv4-mapped IPv6 as IPv4), as the connect gate looks it up.
        String key = com.google.common.net.InetAddresses.toAddrString(com.google.common.net.InetAddresses.forString(address));
        service.policyState().block(new BlockedSite(key, Instant.now().plus(duration), reason, "admin")).join();
        response.status(204);
        return "";
    }

    private Object unblock(Request request, Response response) throws JsonProcessingException {
        if (!service.policyState().unblock(request.params("address")).join()) {
            return write(response, 404, Map.of("statusCode", 404, "type", "notFound",
                "message", request.params("address") + " is not blocked"));
        }
        response.status(204);
        return "";
    }

    private List<Map<String, Object>> pools() {
        return service.pools().stream().map(pool -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("policy", pool.policyName());
            view.put("balance", pool.pool().balance().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            view.put("sticky", pool.pool().sticky().toString());
            view.put("members", pool.members().stream().map(member -> {
                Map<String, Object> memberView = new LinkedHashMap<>();
                memberView.put("member", member.id());
                memberView.put("up", member.isUp());
                memberView.put("activeConnections", member.activeConnections());
                memberView.put("lastCheck", member.lastCheck());
                return memberView;
            }).collect(Collectors.toList()));
            return view;
        }).collect(Collectors.toList());
    }

    private String badRequest(Response response, String message) throws JsonProcessingException {
        return write(response, 400, Map.of("statusCode", 400, "type", "InvalidArgument", "message", message));
    }

    private Object reload(Request request, Response response) throws JsonProcessingException {
        if (!request.queryParams().contains("reload")) {
            return write(response, 400, Map.of("statusCode", 400, "type", "InvalidArgument",
                "message", "POST " + BASE_PATH + "/certificates needs the 'reload' query parameter"));
        }
        return write(response, 200, Map.of("result", service.reloadCertificates(), "certificates", certificates()));
    }

    private Map<String, Object> index() {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("policies", BASE_PATH + "/policies");
        index.put("certificates", BASE_PATH + "/certificates");
        index.put("quarantine", QUARANTINE);
        index.put("blocked", BASE_PATH + "/blocked");
        index.put("pools", BASE_PATH + "/pools");
        index.put("metrics", "James's metrics (JMX, or /metrics with Prometheus): imapproxy-*, pop3proxy-*, smtpproxy-*"
            + " (connections, active-connections, logins|auth, starttls|stls, fetch|retr|messages-inspected/-modified/-denied)");
        return index;
    }

    private List<Map<String, Object>> policies() {
        return service.policyPairs().stream().map(this::policy).collect(Collectors.toList());
    }

    private Map<String, Object> policy(ProxyListenerPair pair) {
        ProxyPolicy policy = pair.getPolicy();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", policy.getName());
        view.put("tlsSupport", policy.getTlsSupport().name().toLowerCase(java.util.Locale.ROOT));
        view.put("upstream", policy.getUpstream().getHost() + ":" + policy.getUpstream().getPort());
        view.put("upstreamTls", policy.getUpstream().getTls().name().toLowerCase(java.util.Locale.ROOT));
        view.put("proxyAction", policy.getInspection().getProxyAction().orElse(null));
        view.put("listeners", pair.getListeners().stream().map(MailProxyRoutes::listener).collect(Collectors.toList()));
        view.put("protocolCounters", service.protocolCounters(pair));
        return view;
    }

    private static Map<String, Object> listener(ProxyListener listener) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("service", listener.getServiceType());
        view.put("kind", listener.getKind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        view.put("addresses", List.of(listener.getBoundAddresses()));
        view.put("listening", listener.isBound());
        return view;
    }

    private List<Map<String, Object>> certificates() {
        return service.certificateMaterials().stream().map(MailProxyRoutes::certificate).collect(Collectors.toList());
    }

    private static Map<String, Object> certificate(ReloadableMaterial<?> material) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", material.getName());
        view.put("certificate", material.describeCurrent());
        view.put("files", material.getFiles().stream().map(Object::toString).collect(Collectors.toList()));
        return view;
    }

    private String write(Response response, int status, Object body) throws JsonProcessingException {
        response.status(status);
        response.type("application/json");
        return json.writeValueAsString(body);
    }
}
