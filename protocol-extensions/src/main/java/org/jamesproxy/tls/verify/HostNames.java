package org.jamesproxy.tls.verify;

import java.net.IDN;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import com.google.common.net.InetAddresses;

/**
 * RFC 6125 / RFC 9525 host-name checks of a server certificate, as the JDK's HTTPS endpoint identification does them:
 * an IP literal must equal an IP SubjectAltName; a DNS name must match a DNS SubjectAltName, where only a whole
 * left-most label may be {@code *} (and matches exactly one label). The subject CN is used only when the certificate
 * has no DNS SubjectAltName at all. Internationalized names are compared as A-labels (RFC 6125 6.4.2: U-labels are
 * converted first), case-insensitively, and a trailing dot (the absolute form of a DNS name) is ignored.
 */
public final class HostNames {
    private HostNames() {
    }

    public static boolean matches(X509Certificate certificate, String host) {
        String wanted = normalize(host);
        Collection<List<?>> altNames;
        try {
            altNames = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (InetAddresses.isInetAddress(wanted)) {
            InetAddress address = InetAddresses.forString(wanted);
            return altNames != null && altNames.stream()
                .filter(name -> (Integer) name.get(0) == 7 && InetAddresses.isInetAddress((String) name.get(1)))
                .anyMatch(name -> InetAddresses.forString((String) name.get(1)).equals(address));
        }
        boolean anyDns = false;
        if (altNames != null) {
            for (List<?> name : altNames) {
                if ((Integer) name.get(0) == 2) {
                    anyDns = true;
                    if (dnsMatches(normalize((String) name.get(1)), wanted)) {
                        return true;
                    }
                }
            }
        }
        if (!anyDns) {
            String subject = certificate.getSubjectX500Principal().getName();
            for (String rdn : subject.split(",")) {
                if (rdn.startsWith("CN=") && dnsMatches(normalize(rdn.substring(3)), wanted)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean dnsMatches(String pattern, String host) {
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        int dot = host.indexOf('.');
        // "*.example.com" matches "a.example.com", not "example.com" nor "a.b.example.com"; and never a bare TLD.
        return dot > 0 && pattern.substring(1).equals(host.substring(dot)) && pattern.indexOf('.', 2) > 0;
    }

    private static String normalize(String name) {
        String lower = name.trim().toLowerCase(Locale.ROOT);
        String relative = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        try {
            // "bücher.example" -> "xn--bcher-kva.example"; ASCII labels (and "*") stay as they are.
            return IDN.toASCII(relative, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return relative; // not a valid IDN (empty or over-long label): compared as it is, which then only equals itself
        }
    }
}
