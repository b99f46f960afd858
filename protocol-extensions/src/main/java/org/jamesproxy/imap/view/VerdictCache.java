package org.jamesproxy.imap.view;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where inspected views are kept between FETCHes of one message. */
public interface VerdictCache extends AutoCloseable {

    Optional<InspectedView> get(ViewKey key);

    /**
     * Keeps the view (or releases its bytes when it cannot be kept). The stage completes when the cache no longer
     * needs the view's bytes in the caller's memory beyond what it keeps there: at once for a view it keeps in
     * memory or drops, once written for a view it moves to a file or a shared store. It never fails.
     */
    CompletionStage<Void> put(ViewKey key, InspectedView view);

    /** Drops the entries of that scope ({@link ViewKeys#scope}) whose UIDVALIDITY differs from {@code uidValidity}. */
    void invalidate(String scopeUserMailbox, long uidValidity);

    /** Drops every entry of that user on that upstream (logout of its last session). */
    void dropUser(String upstream, String user);

    @Override
    void close();
}
