package org.jamesproxy.tls.reload;

/** JMX view of the proxy's certificates: org.apache.james:type=server,name=mailproxy-tls. */
public interface CertificateReloaderMBean {
    /** Reloads every Proxy Server certificate and the Proxy Authority from their files; one line per material. */
    String reloadCertificates();

    /** What is in service: one line per material (name, subject, notAfter, files). */
    String[] getCertificates();
}
