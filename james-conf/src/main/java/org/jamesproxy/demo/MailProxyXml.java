package org.jamesproxy.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders {@code conf/mailproxy.xml} from {@link ProxySettings} (templates {@code mailproxy.xml} and
 * {@code proxy.xml}, one element per policy). File locations are resolved by the caller ({@link JamesHome}), which writes the certificates.
 */
final class MailProxyXml {
    /** Where the files of one proxy ended up, as James FileSystem URLs. */
    static final class Locations {
        final String keystoreUrl;
        final String keystoreSecret;
        final Optional<String> trustStoreUrl;

        Locations(String keystoreUrl, String keystoreSecret, Optional<String> trustStoreUrl) {
            this.keystoreUrl = keystoreUrl;
            this.keystoreSecret = keystoreSecret;
            this.trustStoreUrl = trustStoreUrl;
        }
    }

    private MailProxyXml() {
    }

    static String render(List<ProxySettings> proxies, Map<String, Locations> locations) {
        return render(proxies, locations, "");
    }

    /** @param proxyAuthorityXml a whole {@code <proxyAuthority>} element, or empty */
    static String render(List<ProxySettings> proxies, Map<String, Locations> locations, String proxyAuthorityXml) {
        String actions = proxies.stream()
            .flatMap(proxy -> proxy.proxyAction().stream())
            .filter(action -> !action.isPredefined())
            .distinct()
            .map(action -> "        <action name=\"" + Templates.escapeXml(action.name()) + "\">\n            "
                + action.mailetsXml() + "\n        </action>")
            .collect(Collectors.joining("\n"));
        String policies = proxies.stream()
            .map(proxy -> policy(proxy, locations.get(proxy.name())))
            .collect(Collectors.joining("\n"));
        return Templates.render("mailproxy.xml", Map.of("proxyActions", actions, "proxies", policies,
            "proxyAuthority", proxyAuthorityXml));
    }

    private static String policy(ProxySettings proxy, Locations files) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("element", proxy.protocol().element());
        values.put("extraXml", proxy.extraXml().isEmpty() ? "" : "        " + proxy.extraXml());
        values.put("name", proxy.name());
        values.put("tlsSupport", proxy.tlsSupport());
        values.put("bind", proxy.bind());
        values.put("tlsBind", proxy.tlsBind());
        values.put("allowPlaintextAuth", Boolean.toString(proxy.allowPlaintextAuth()));
        values.put("keystore", files.keystoreUrl);
        values.put("keystoreType", proxy.keystoreType());
        values.put("keystoreSecret", files.keystoreSecret);
        values.put("upstream.host", proxy.upstreamHost());
        values.put("upstream.port", Integer.toString(proxy.upstreamPort()));
        values.put("upstream.tls", proxy.upstreamTls());
        values.put("upstream.trustStore", files.trustStoreUrl
            .map(url -> "            <trustStore>" + Templates.escapeXml(url) + "</trustStore>")
            .orElse(""));
        values.put("upstream.expectedHostName", proxy.expectedHostName());
        values.put("upstream.proxyProtocol", proxy.upstreamProxyProtocol());
        values.put("proxyAction", proxy.proxyAction()
            .map(action -> "        <proxyAction>" + Templates.escapeXml(action.name()) + "</proxyAction>")
            .orElse(""));
        return Templates.render("proxy.xml", values);
    }
}
