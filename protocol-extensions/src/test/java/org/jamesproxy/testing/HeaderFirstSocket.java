package org.jamesproxy.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * A plain socket whose first write goes out together with a PROXY header, in one segment, as a load balancer may
 * send header and ClientHello: layered under an SSLSocket, the header and the TLS ClientHello share one write.
 */
public final class HeaderFirstSocket extends Socket {
    private final byte[] header;
    private OutputStream out;

    public HeaderFirstSocket(InetAddress address, int port, byte[] header) throws IOException {
        super(address, port);
        this.header = header;
        setTcpNoDelay(true);
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
        if (out == null) {
            OutputStream raw = super.getOutputStream();
            out = new FilterOutputStream(raw) {
                private boolean first = true;

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    if (first) {
                        first = false;
                        byte[] joined = new byte[header.length + length];
                        System.arraycopy(header, 0, joined, 0, header.length);
                        System.arraycopy(bytes, offset, joined, header.length, length);
                        raw.write(joined);
                        return;
                    }
                    raw.write(bytes, offset, length);
                }

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }
            };
        }
        return out;
    }
}
