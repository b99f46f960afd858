package org.jamesproxy.tls.reload;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every reloadable certificate of the proxy (each policy's Proxy Server certificate, the Proxy Authority) and the
 * admin's trigger to reload them, exposed over JMX next to James's listeners.
 */
public final class CertificateReloader implements CertificateReloaderMBean {
    private static final Logger LOGGER = LoggerFactory.getLogger(CertificateReloader.class);
    public static final String OBJECT_NAME = "org.apache.james:type=server,name=mailproxy-tls";

    private final Map<String, ReloadableMaterial<?>> materials = new ConcurrentHashMap<>();
    private ObjectName registeredAs;
    private MBeanServer registeredIn;

    public void register(ReloadableMaterial<?> material) {
        materials.put(material.getName(), material);
    }

    public List<ReloadableMaterial<?>> materials() {
        return List.copyOf(materials.values());
    }

    @Override
    public String reloadCertificates() {
        LOGGER.info("Certificate reload requested for {}", materials.keySet());
        return materials.values().stream()
            .map(material -> material.reload().getMessage())
            .sorted()
            .collect(Collectors.joining("\n"));
    }

    @Override
    public String[] getCertificates() {
        return materials.values().stream()
            .map(ReloadableMaterial::describeCurrent)
            .sorted()
            .toArray(String[]::new);
    }

    public synchronized void registerMBean() {
        registerMBean(ManagementFactory.getPlatformMBeanServer());
    }

    public synchronized void registerMBean(MBeanServer server) {
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(this, name);
            registeredAs = name;
            registeredIn = server;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + OBJECT_NAME + ": " + e.getMessage(), e);
        }
    }

    public synchronized void unregisterMBean() {
        if (registeredAs == null) {
            return;
        }
        try {
            registeredIn.unregisterMBean(registeredAs);
        } catch (JMException e) {
            LOGGER.warn("cannot unregister {}", registeredAs, e);
        }
        registeredAs = null;
    }
}
