package org.jamesproxy.imap.view;

import java.util.List;
import java.util.OptionalLong;

/** One FETCH data item the inspected view answers. */
public final class ViewItem {

    public enum Kind { SECTION, BINARY, BINARY_SIZE, RFC822, RFC822_HEADER, RFC822_TEXT, RFC822_SIZE, BODY, BODYSTRUCTURE }

    public enum SectionText { WHOLE, HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

    public Kind kind() { throw new UnsupportedOperationException("skeleton"); }
    public List<Integer> part() { throw new UnsupportedOperationException("skeleton"); }
    public SectionText text() { throw new UnsupportedOperationException("skeleton"); }
    public List<String> fieldNames() { throw new UnsupportedOperationException("skeleton"); }
    public OptionalLong origin() { throw new UnsupportedOperationException("skeleton"); }
    public OptionalLong count() { throw new UnsupportedOperationException("skeleton"); }
    public boolean peek() { throw new UnsupportedOperationException("skeleton"); }
    public boolean setsSeen() { throw new UnsupportedOperationException("skeleton"); }
    public String responseName() { throw new UnsupportedOperationException("skeleton"); }
}
