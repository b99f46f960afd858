package org.jamesproxy.imap.view;

import java.util.List;

/** The data items of a FETCH / UID FETCH command, split into what the view answers and what the upstream does. */
public final class FetchRequest {

    public static FetchRequest parse(String items) {
        throw new UnsupportedOperationException("skeleton");
    }

    public boolean needsView() { throw new UnsupportedOperationException("skeleton"); }
    public boolean setsSeen() { throw new UnsupportedOperationException("skeleton"); }
    public boolean asksUid() { throw new UnsupportedOperationException("skeleton"); }
    public String upstreamItems() { throw new UnsupportedOperationException("skeleton"); }
    public List<ViewItem> viewItems() { throw new UnsupportedOperationException("skeleton"); }
}
