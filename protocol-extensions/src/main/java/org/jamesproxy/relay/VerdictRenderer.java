package org.jamesproxy.relay;

/**
 * How one protocol puts a proxy action's verdict on the wire, for one intercepted message. One method per kind of
 * outcome, so that a new verdict is a compile error in every protocol until each says what its clients see.
 * <table>
 *   <caption>The three renderers</caption>
 *   <tr><th></th><th>IMAP</th><th>POP3</th><th>SMTP</th></tr>
 *   <tr><td>{@link #allowed}</td><td>the literal</td><td>{@code +OK n octets} and the message</td>
 *       <td>DATA to the upstream; its reply</td></tr>
 *   <tr><td>{@link #denied}</td><td>the notice as the literal</td><td>the notice as the message</td><td>554</td></tr>
 *   <tr><td>{@link #tempfailed}</td><td>the notice</td><td>the notice</td><td>451</td></tr>
 *   <tr><td>{@link #closing}</td><td>{@code * BYE}</td><td>{@code -ERR}</td><td>421</td></tr>
 * </table>
 * Every method is called on the session's event loop, at most once per message, and never after the session closed.
 */
public interface VerdictRenderer {
    /** The message goes on: the original bytes, or the action's modified copy; the array is the renderer's to keep. */
    void allowed(byte[] content, boolean modified);

    /** The message is refused for good: IMAP/POP3 deliver the deny notice in its place. */
    void denied(byte[] notice, String reason);

    /** The message could not be decided now (an engine down...): the client may try again later. */
    void tempfailed(byte[] notice, String reason);

    /** drop/block: the protocol's last words; the connection is closed after them. Counting and logging are done. */
    void closing();
}
