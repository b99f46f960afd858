package org.jamesproxy.modules.webadmin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.inject.Inject;

import org.apache.james.webadmin.Routes;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.listener.ProxyListener;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.modules.MailProxyService;
import org.jamesproxy.tls.reload.ReloadableMaterial;

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
 *     {@code org.apache.james:type=server,name=mailproxy-tls}, operation {@code reloadCertificates}).</li>
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
