package org.jamesproxy.imap;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Rewrites the upstream's capability list into what the proxy can honestly offer on this client connection.
 * An allow-list, not a deny-list: an extension we do not know might change the framing (COMPRESS, BINARY's
 * literal8 bodies we could not inspect) or the session state (UNAUTHENTICATE), so it is not advertised.
 * STARTTLS and LOGINDISABLED describe our client leg, so they are ours to add, never the upstream's: the handlers
 * of those commands ({@link StartTlsCommand}, {@link AuthenticationCommand}) say when, as {@link AppendInspection}
 * says which APPEND extensions it honours.
 */
final class ImapCapabilities {
    private static final Set<String> RELAYED = ImmutableSet.of(
        "IMAP4REV1", "IMAP4REV2", "LITERAL+", "LITERAL-", "SASL-IR", "IDLE", "ID", "NAMESPACE", "UIDPLUS", "MOVE",
        "UNSELECT", "CHILDREN", "CONDSTORE", "QRESYNC", "ENABLE", "ESEARCH", "ESORT", "SEARCHRES", "SORT",
        "SORT=DISPLAY", "LIST-EXTENDED", "LIST-STATUS", "LIST-MYRIGHTS", "SPECIAL-USE", "CREATE-SPECIAL-USE",
        "MULTIAPPEND", "STATUS=SIZE", "OBJECTID", "SAVEDATE", "WITHIN", "CONTEXT=SEARCH", "CONTEXT=SORT",
        "QUOTA", "QUOTASET", "ACL", "METADATA", "METADATA-SERVER", "UTF8=ACCEPT", "XLIST", "PARTIAL", "PREVIEW",
        "NOTIFY", "CATENATE", "URLAUTH", "REPLACE", "UIDONLY", "I18NLEVEL=1", "I18NLEVEL=2");
    private static final List<String> RELAYED_FAMILIES = ImmutableList.of(
        "AUTH=", "THREAD=", "APPENDLIMIT=", "RIGHTS=", "QUOTA=", "MESSAGELIMIT=", "SAVELIMIT=");
    private static final Pattern CAPABILITY_CODE = Pattern.compile("\\[CAPABILITY ([^\\]]*)]", Pattern.CASE_INSENSITIVE);
    private static final Pattern REFERRAL_CODE = Pattern.compile("\\[REFERRAL [^\\]]*] ?", Pattern.CASE_INSENSITIVE);

    /** What the client leg looks like at the moment the list is sent. */
    static final class ClientLeg {
        final boolean tlsActive;
        final boolean startTlsOffered;
        final boolean authenticated;
        final boolean plaintextAuthAllowed;
        /** APPEND goes through the proxy action ({@link AppendInspection}). */
        final boolean appendsInspected;

        ClientLeg(boolean tlsActive, boolean startTlsOffered, boolean authenticated, boolean plaintextAuthAllowed) {
            this(tlsActive, startTlsOffered, authenticated, plaintextAuthAllowed, false);
        }

        ClientLeg(boolean tlsActive, boolean startTlsOffered, boolean authenticated, boolean plaintextAuthAllowed,
                  boolean appendsInspected) {
            this.tlsActive = tlsActive;
            this.startTlsOffered = startTlsOffered;
            this.authenticated = authenticated;
            this.plaintextAuthAllowed = plaintextAuthAllowed;
            this.appendsInspected = appendsInspected;
        }

        boolean mayAuthenticate() {
            return tlsActive || plaintextAuthAllowed;
        }
    }

    private ImapCapabilities() {
    }

    static List<String> parse(String capabilities) {
        return Splitter.on(' ').omitEmptyStrings().trimResults().splitToList(capabilities);
    }

    static String rewrite(List<String> upstream, ClientLeg leg) {
        // The commands the proxy implements itself say how they show (AUTH=, STARTTLS, LOGINDISABLED).
        Stream<String> relayed = upstream.stream()
            .filter(ImapCapabilities::isRelayed)
            .filter(capability -> AuthenticationCommand.advertises(capability, leg))
            .filter(capability -> AppendInspection.advertises(capability, leg));
        Stream<String> ours = Stream.of(StartTlsCommand.capability(leg), AuthenticationCommand.capability(leg))
            .flatMap(Optional::stream);
        return Stream.concat(relayed, ours).reduce((a, b) -> a + " " + b).orElse("IMAP4rev1");
    }

    private static boolean isRelayed(String capability) {
        String upper = capability.toUpperCase(Locale.US);
        return RELAYED.contains(upper) || RELAYED_FAMILIES.stream().anyMatch(upper::startsWith);
    }

    /** Rewrites a {@code [CAPABILITY ...]} response code inside any status line, if present. */
    static String rewriteCode(String line, ClientLeg leg) {
        Matcher matcher = CAPABILITY_CODE.matcher(line);
        if (!matcher.find()) {
            return line;
        }
        return line.substring(0, matcher.start()) + "[CAPABILITY " + rewrite(parse(matcher.group(1)), leg) + "]"
            + line.substring(matcher.end());
    }

    /** Finds the list in a {@code [CAPABILITY ...]} code, e.g. of a greeting. */
    static Optional<List<String>> fromCode(String line) {
        Matcher matcher = CAPABILITY_CODE.matcher(line);
        return matcher.find() ? Optional.of(parse(matcher.group(1))) : Optional.empty();
    }

    /** Referrals would send the client around the proxy: removed. */
    static String stripReferral(String line) {
        return REFERRAL_CODE.matcher(line).replaceAll("");
    }
}
