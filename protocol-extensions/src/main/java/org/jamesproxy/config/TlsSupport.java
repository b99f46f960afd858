package org.jamesproxy.config;

/**
 * A policy's "TLS Support": which of the two listeners of a pair bind.
 * <ul>
 *     <li>DISABLED: the plain port only, without STARTTLS.</li>
 *     <li>ENABLED: the plain port with STARTTLS, and the implicit-TLS port.</li>
 *     <li>REQUIRED: the implicit-TLS port only.</li>
 * </ul>
 */
public enum TlsSupport {
    DISABLED, ENABLED, REQUIRED;

    public boolean bindsPlainPort() {
        return this != REQUIRED;
    }

    public boolean bindsTlsPort() {
        return this != DISABLED;
    }

    public boolean offersStartTls() {
        return this == ENABLED;
    }
}
