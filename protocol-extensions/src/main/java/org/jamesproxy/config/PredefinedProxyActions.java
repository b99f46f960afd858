package org.jamesproxy.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;

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

    private static final ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> DEFINITIONS = load();

    private PredefinedProxyActions() {
    }

    public static boolean isPredefined(String name) {
        return NAMES.contains(name);
    }

    /**
     * Every predefined {@code <action>} element by name, in the order of {@link #NAMES}; each call returns fresh copies,
     * so that no caller can change what the next configuration gets.
     */
    public static ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> definitions() {
        ImmutableMap.Builder<String, HierarchicalConfiguration<ImmutableNode>> copies = ImmutableMap.builder();
        DEFINITIONS.forEach((name, element) -> copies.put(name, new BaseHierarchicalConfiguration(element)));
        return copies.buildOrThrow();
    }

    /** The predefined {@code <action>} element of that name (a fresh copy). */
    public static Optional<HierarchicalConfiguration<ImmutableNode>> definition(String name) {
        return Optional.ofNullable(DEFINITIONS.get(name)).map(BaseHierarchicalConfiguration::new);
    }

    /** The resource ships with the classes: any problem with it is a build defect, not a configuration error. */
    private static ImmutableMap<String, HierarchicalConfiguration<ImmutableNode>> load() {
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
        ImmutableMap.Builder<String, HierarchicalConfiguration<ImmutableNode>> ordered = ImmutableMap.builder();
        NAMES.forEach(name -> ordered.put(name, byName.get(name)));
        return ordered.buildOrThrow();
    }
}
