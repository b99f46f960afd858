package org.jamesproxy;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.config.MailProxyConfiguration;
import org.jamesproxy.config.ProxyAuthorityConfig;
import org.jamesproxy.config.ProxyPolicy;
import org.jamesproxy.config.UpstreamConfig;
import org.jamesproxy.config.UpstreamTls;
import org.jamesproxy.inspection.ProxyActionDefinition;

/**
 * {@code java -cp "extensions-jars/*:lib/*" org.jamesproxy.Check conf/}: checks conf/mailproxy.xml as James's boot
 * would (same parser, same strict check of unknown elements, and the files enabled policies use), then prints the
 * effective policies, listeners, upstreams and actions. Exit 0 when James would accept the file, 1 with the error
 * otherwise, 2 on a usage error: like {@code nginx -t}, run it before restarting James.
 */
public final class Check {
    public static final String FILE = "mailproxy.xml";

    private Check() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: java -cp \"extensions-jars/*:lib/*\" org.jamesproxy.Check <James conf directory>");
            return 2;
        }
        Path conf = Path.of(args[0]);
        Path file = conf.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            err.println(file + ": no such file (James would start without the mail proxy)");
            return 1;
        }
        try {
            MailProxyConfiguration configuration = parse(file);
            List<String> missing = missingFiles(configuration, conf.toAbsolutePath().getParent());
            if (!missing.isEmpty()) {
                missing.forEach(problem -> err.println(file + ": " + problem));
                return 1;
            }
            print(configuration, out);
            out.println(file + ": OK");
            return 0;
        } catch (ConfigurationException | RuntimeException e) {
            err.println(file + ": " + e.getMessage());
            return 1;
        }
    }

    private static MailProxyConfiguration parse(Path file) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(file.toFile());
        return MailProxyConfiguration.parse(xml);
    }

    /** The files James would open at boot for what is enabled, that do not exist. */
    private static List<String> missingFiles(MailProxyConfiguration configuration, Path home) {
        List<String> missing = new ArrayList<>();
        boolean authorityUsed = false;
        for (ProxyPolicy policy : configuration.commonPolicies()) {
            String where = "policy " + policy.getName();
            if (policy.needsProxyServerCertificate()) {
                for (String key : new String[]{"tls.keystore", "tls.privateKey", "tls.certificates"}) {
                    Optional.ofNullable(policy.listenerConfig().getString(key, null))
                        .ifPresent(location -> checkFile(missing, home, location, where + " <" + key.replace(".", "><") + "> "));
                }
            }
            policy.getUpstream().getTrustStore().ifPresent(trust ->
                checkFile(missing, home, trust.getLocation(), where + " <upstream><trustStore> "));
            authorityUsed |= policy.getClientAction().filter(action -> action.getProxyAuthority().isEmpty()).isPresent();
        }
        if (authorityUsed) {
            ProxyAuthorityConfig authority = configuration.getProxyAuthority().orElse(null);
            if (authority == null) {
                missing.add("an enabled client-action policy needs the top-level <proxyAuthority>");
            } else {
                authority.getKeystore().ifPresent(location -> checkFile(missing, home, location, "<proxyAuthority><keystore> "));
                authority.getPrivateKey().ifPresent(location -> checkFile(missing, home, location, "<proxyAuthority><privateKey> "));
                authority.getCertificate().ifPresent(location -> checkFile(missing, home, location, "<proxyAuthority><certificate> "));
            }
        }
        return missing;
    }

    /** James's FileSystem URLs: file://conf/x is relative to the James home, file:///x absolute; classpath: is not checked. */
    private static void checkFile(List<String> missing, Path home, String location, String what) {
        Path path;
        if (location.startsWith("file:///")) {
            path = Path.of(location.substring("file://".length()));
        } else if (location.startsWith("file://")) {
            path = home.resolve(location.substring("file://".length()));
        } else if (location.contains(":") && !location.startsWith("/")) {
            return;
        } else {
            path = home.resolve(location);
        }
        if (!Files.isReadable(path)) {
            missing.add(what + location + ": no such file (" + path + ")");
        }
    }

    private static void print(MailProxyConfiguration configuration, PrintStream out) {
        List<ProxyPolicy> policies = configuration.commonPolicies();
        out.println("policies (" + policies.size() + " enabled):");
        for (ProxyPolicy policy : policies) {
            out.println("  " + policy.getName() + " (jmxName " + policy.getJmxName() + ", tlsSupport "
                + policy.getTlsSupport().name().toLowerCase(java.util.Locale.ROOT) + ")");
            if (policy.getTlsSupport().bindsPlainPort()) {
                out.println("    listener " + policy.getBind() + (policy.getTlsSupport().offersStartTls() ? " plain + STARTTLS" : " plain"));
            }
            if (policy.getTlsSupport().bindsTlsPort()) {
                out.println("    listener " + policy.getTlsBind() + " implicit TLS");
            }
            out.println("    upstream " + upstream(policy.getUpstream()));
            policy.getClientAction().ifPresent(action -> out.println("    client action, routing "
                + action.getRouting().name().toLowerCase(java.util.Locale.ROOT)));
            out.println("    proxy action " + policy.getInspection().getProxyAction().orElse("(none: relayed uninspected)")
                + ", maxMessageSize " + policy.getInspection().getMaxMessageSize() + " bytes, oversize "
                + policy.getInspection().getOversize().name().toLowerCase(java.util.Locale.ROOT) + ", onError "
                + policy.getInspection().getOnError().name().toLowerCase(java.util.Locale.ROOT));
        }
        out.println("proxy actions:");
        for (ProxyActionDefinition action : configuration.getProxyActions().values()) {
            out.println("  " + action.getName());
            action.getMailets().forEach(mailet -> out.println("    " + mailet));
        }
        out.println("TLS profiles: " + String.join(", ", configuration.getTlsProfiles().keySet()));
        out.println("inspection threads: " + configuration.getInspectionThreads());
    }

    private static String upstream(UpstreamConfig upstream) {
        String host = upstream.getHost() == null || upstream.getHost().isEmpty() ? "(the destination asked for)" : upstream.getHost();
        String where = host + ":" + upstream.getPort() + " tls " + upstream.getTls().name().toLowerCase(java.util.Locale.ROOT);
        if (upstream.getTls() == UpstreamTls.NONE) {
            return where + " (plaintext)";
        }
        return where + ", profile " + upstream.getTlsProfile().getName()
            + upstream.getTrustStore().map(trust -> ", trust " + trust.getLocation()).orElse(", trust the JDK's CAs")
            + ", expected name " + upstream.getExpectedHostName();
    }
}
