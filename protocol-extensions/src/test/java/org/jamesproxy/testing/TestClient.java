package org.jamesproxy.testing;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLContext;

/** What the contracts do with a protocol's raw test client: write bytes as given, upgrade in place, see it closed. */
public interface TestClient extends AutoCloseable {
    /** Writes the bytes as they are, in one write. */
    TestClient send(String raw) throws IOException;

    TestClient sendLine(String line) throws IOException;

    /** Upgrades the connection after the server's go-ahead. */
    void startTls(SSLContext context) throws IOException;

    boolean isTls();

    /** Whether the peer closed the connection: end of stream or reset, with no further data. */
    boolean isClosedByPeer();

    /** Reads everything until the peer closes; returns what arrived. */
    String readUntilClosed();

    Socket socket();
}
