package org.jamesproxy.imap;

import org.jamesproxy.relay.Lines;
import org.jamesproxy.relay.MessageSections;
import org.jamesproxy.relay.VerdictRenderer;

import io.netty.buffer.Unpooled;

/**
 * A verdict as the literal of a held FETCH response segment. Nothing of that response has been written yet, so a
 * drop's {@code * BYE} starts a line of its own.
 */
final class FetchLiteralRenderer implements VerdictRenderer {
    private final String segmentPrefix;
    private final FetchItem item;
    private final FetchInterception.Client client;
    private final boolean resumeUpstream;

    /**
     * @param segmentPrefix the held segment without its literal announcement
     * @param resumeUpstream the verdict came back from the inspection pool: the upstream leg is read on
     */
    FetchLiteralRenderer(String segmentPrefix, FetchItem item, FetchInterception.Client client, boolean resumeUpstream) {
        this.segmentPrefix = segmentPrefix;
        this.item = item;
        this.client = client;
        this.resumeUpstream = resumeUpstream;
    }

    @Override
    public void allowed(byte[] content, boolean modified) {
        // A header fetch gets a header section back, also when the action changed the message.
        deliver(modified ? headerOnlyIfAsked(content) : content);
    }

    @Override
    public void denied(byte[] notice, String reason) {
        deliver(headerOnlyIfAsked(notice));
    }

    @Override
    public void tempfailed(byte[] notice, String reason) {
        deliver(headerOnlyIfAsked(notice));
    }

    @Override
    public void closing() {
        client.closeWithFarewell("Connection closed by policy");
    }

    private byte[] headerOnlyIfAsked(byte[] content) {
        return item == FetchItem.HEADER ? MessageSections.headerSection(content) : content;
    }

    private void deliver(byte[] content) {
        client.write(Lines.encode(segmentPrefix + "{" + content.length + "}\r\n"));
        client.write(Unpooled.wrappedBuffer(content));
        if (resumeUpstream) {
            client.resumeUpstream();
        }
    }
}
