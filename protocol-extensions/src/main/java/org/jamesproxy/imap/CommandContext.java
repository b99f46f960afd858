package org.jamesproxy.imap;

import org.jamesproxy.relay.SaslUser;
import org.jamesproxy.relay.SessionLog;

/** What a {@link CommandHandler} may see of its session, and change. Called on the session's event loop only. */
interface CommandContext {
    /** The client leg as the capability lists describe it. */
    ImapCapabilities.ClientLeg clientLeg();

    /** Implicit TLS, or STARTTLS done. */
    boolean tlsActive();

    SaslUser user();

    SessionLog log();

    /** The upstream accepted a login: counted, and the capability lists change. */
    void loggedIn();

    /** The upstream refused a LOGIN or AUTHENTICATE of {@code user}. */
    void loginFailed(String user, String status);

    /** The user the login names is locked out after failed logins: the proxy refuses it. */
    boolean lockedOut(String user);

    /** The client idles (IDLE): the policy's IDLE timeout replaces the idle timeout until it stops. */
    void idling(boolean idling);

    /** The upstream may close the connection without it being a failure. */
    void logoutRequested();

    /** The mailbox the client selected, as learnt from SELECT/EXAMINE. */
    SelectedMailbox mailbox();

    /** True when APPENDed messages go through the proxy action ({@code <inspection><append>inspect}). */
    boolean inspectsAppend();

    /** True when FETCH content items are answered from inspected views ({@code partialFetch inspect}). */
    boolean answersFetchFromViews();
}
