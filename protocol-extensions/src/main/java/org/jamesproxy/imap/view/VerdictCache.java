package org.jamesproxy.imap.view;

import java.util.Optional;

/** Where inspected views are kept between FETCHes of one message. */
public interface VerdictCache extends AutoCloseable {

    Optional<InspectedView> get(ViewKey key);

    void put(ViewKey key, InspectedView view);

    /** Drops the entries of that scope ({@link ViewKeys#scope}) whose UIDVALIDITY differs from {@code uidValidity}. */
    void invalidate(String scopeUserMailbox, long uidValidity);

    /** Drops every entry of that user on that upstream (logout of its last session). */
    void dropUser(String upstream, String user);

    @Override
    void close();
}
