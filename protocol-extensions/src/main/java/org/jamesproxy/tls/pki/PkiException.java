package org.jamesproxy.tls.pki;

/** Unchecked failure of a PKI operation: these are programming or environment errors, never user input errors. */
public class PkiException extends RuntimeException {
    public PkiException(String message, Throwable cause) {
        super(message, cause);
    }

    public PkiException(String message) {
        super(message);
    }
}
