package org.jamesproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.jamesproxy.inspection.ProxyActionDefinition;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * The predefined, read-only proxy actions (WatchGuard's {@code *.Standard} actions): {@value #RESOURCE} in this jar,
 * same syntax as {@code <proxyActions>} of conf/mailproxy.xml, parsed once when the class loads. A policy may name one
 * in {@code <proxyAction>} without defining it; {@link MailProxyConfiguration} refuses a definition under one of these
 * names. They need no external engine (no antivirus, no spam daemon), so they work on any installation.
 */
public final class PredefinedProxyActions {
    /** Where the definitions live, in the jar. */
    public static final String RESOURCE = "org/jamesproxy/config/predefined-proxy-actions.xml";

    public static final String IMAP_SERVER = "IMAP-Server.Standard";
    public static final String IMAP_CLIENT = "IMAP-Client.Standard";
    public static final String POP3_SERVER = "POP3-Server.Standard";
    public static final String POP3_CLIENT = "POP3-Client.Standard";
    public static final String SMTP_INCOMING = "SMTP-Incoming.Standard";
    public static final String SMTP_OUTGOING = "SMTP-Outgoing.Standard";

    public static final ImmutableSet<String> NAMES = ImmutableSet.of(IMAP_SERVER, IMAP_CLIENT, POP3_SERVER, POP3_CLIENT,
        SMTP_INCOMING, SMTP_OUTGOING);

    private static final ImmutableMap<String, ProxyActionDefinition> DEFINITIONS = load();

    private PredefinedProxyActions() {
    }

    public static boolean isPredefined(String name) {
        return NAMES.contains(name);
    }

    /** Every predefined action by name, in the order of {@link #NAMES}; immutable, so every configuration gets the same. */
    public static ImmutableMap<String, ProxyActionDefinition> definitions() {
        return DEFINITIONS;
    }

    /** The predefined action of that name. */
    public static Optional<ProxyActionDefinition> definition(String name) {
        return Optional.ofNullable(DEFINITIONS.get(name));
    }

    /** The resource ships with the classes: any problem with it is a build defect, not a configuration error. */
    private static ImmutableMap<String, ProxyActionDefinition> load() {
        XMLConfiguration xml = new XMLConfiguration();
        try (InputStream in = PredefinedProxyActions.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            new FileHandler(xml).load(in);
        } catch (IOException | ConfigurationException e) {
            throw new IllegalStateException("Cannot read the predefined proxy actions " + RESOURCE + ": " + e.getMessage(), e);
        }
        Map<String, HierarchicalConfiguration<ImmutableNode>> byName = new LinkedHashMap<>();
        for (HierarchicalConfiguration<ImmutableNode> action : xml.configurationsAt("action")) {
            String name = action.getString("[@name]", "");
            if (!NAMES.contains(name) || byName.put(name, action) != null) {
                throw new IllegalStateException(RESOURCE + ": unexpected or repeated action '" + name + "', expected " + NAMES);
            }
        }
        if (!byName.keySet().equals(NAMES)) {
            throw new IllegalStateException(RESOURCE + " defines " + byName.keySet() + ", expected " + NAMES);
        }
        ImmutableMap.Builder<String, ProxyActionDefinition> ordered = ImmutableMap.builder();
        for (String name : NAMES) {
            try {
                ordered.put(name, ProxyActionDefinition.parse(name, byName.get(name)));
            } catch (ConfigurationException e) {
                throw new IllegalStateException(RESOURCE + ": " + e.getMessage(), e);
            }
        }
        return ordered.buildOrThrow();
    }
}
