package org.jamesproxy.inspection;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns bare CR and bare LF into CRLF, as RFC 5322 and the IMAP/POP3/SMTP wire formats require. javax.mail writes
 * whatever line endings a mailet put into new content, so re-serialised messages go through this. Call
 * {@link #finish()} (or {@link #close()}) so that a trailing CR gets its LF.
 */
final class CrlfOutputStream extends FilterOutputStream {
    private static final int CR = '\r';
    private static final int LF = '\n';

    private boolean lastWasCr = false;

    CrlfOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (b == LF) {
            if (!lastWasCr) {
                out.write(CR);
            }
            out.write(LF);
            lastWasCr = false;
            return;
        }
        if (lastWasCr) {
            out.write(LF);
        }
        if (b == CR) {
            out.write(CR);
            lastWasCr = true;
        } else {
            out.write(b);
            lastWasCr = false;
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        // FilterOutputStream writes byte per byte anyway; only the fast path without line breaks is worth having.
        int end = off + len;
        int runStart = off;
        for (int i = off; i < end; i++) {
            byte current = b[i];
            if (current == CR || current == LF || lastWasCr) {
                out.write(b, runStart, i - runStart);
                write(current);
                runStart = i + 1;
            }
        }
        out.write(b, runStart, end - runStart);
    }

    /** Completes a trailing CR without closing the underlying stream. */
    void finish() throws IOException {
        if (lastWasCr) {
            out.write(LF);
            lastWasCr = false;
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        finish();
        super.close();
    }
}
