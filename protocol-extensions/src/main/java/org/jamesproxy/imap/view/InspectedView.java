package org.jamesproxy.imap.view;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** An immutable view over the inspected message's bytes, answering FETCH items from them. */
public final class InspectedView {

    public static InspectedView of(MessageBytes bytes) {
        throw new UnsupportedOperationException("skeleton");
    }

    public MessageBytes bytes() { throw new UnsupportedOperationException("skeleton"); }

    public long size() { throw new UnsupportedOperationException("skeleton"); }

    public void writeItems(List<ViewItem> items, ByteBuf out) {
        throw new UnsupportedOperationException("skeleton");
    }
}
