package org.jamesproxy.imap;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which mailbox the client has selected, and its UIDVALIDITY, as learnt from the dialogue: SELECT/EXAMINE name the
 * mailbox, their {@code [UIDVALIDITY n]} response code numbers it, their tagged OK makes it the selected one (a NO
 * leaves none selected, RFC 3501 §6.3.1), CLOSE and UNSELECT end it. An inspected view is only cached for a message
 * whose mailbox and UIDVALIDITY are both known.
 */
final class SelectedMailbox {
    /** The selected mailbox: its name as the client sent it and its UIDVALIDITY. */
    record Selected(String name, long uidValidity) {
    }

    /** Told when a mailbox's UIDVALIDITY is not the one seen before: its cached views are stale. */
    interface Invalidation {
        void uidValidityChanged(String mailbox, long uidValidity);
    }

    private static final Pattern UIDVALIDITY = Pattern.compile("\\[UIDVALIDITY (\\d+)]", Pattern.CASE_INSENSITIVE);

    private final Invalidation invalidation;
    private String selectingTag;
    private String selectingName;
    private OptionalLong selectingUidValidity = OptionalLong.empty();
    private Selected selected;

    SelectedMailbox(Invalidation invalidation) {
        this.invalidation = invalidation;
    }

    /** A SELECT or EXAMINE was sent: until its completion, nothing is selected (RFC 3501 §6.3.1). */
    void selecting(String tag, Optional<String> name) {
        selectingTag = tag;
        selectingName = name.orElse(null);
        selectingUidValidity = OptionalLong.empty();
        selected = null;
    }

    /** An untagged response line: it may carry the UIDVALIDITY of the mailbox being selected, or a new one. */
    void onUntagged(String line) {
        if (line.length() < 5 || !line.regionMatches(true, 0, "* OK ", 0, 5)) {
            return;
        }
        Matcher matcher = UIDVALIDITY.matcher(line);
        if (!matcher.find()) {
            return;
        }
        long value;
        try {
            value = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            return;
        }
        if (selectingTag != null) {
            selectingUidValidity = OptionalLong.of(value);
        } else if (selected != null && selected.uidValidity() != value) {
            // A new UIDVALIDITY for the selected mailbox (RFC 3501 §2.3.1.1): every UID it had means nothing now.
            selected = new Selected(selected.name(), value);
            invalidation.uidValidityChanged(selected.name(), value);
        }
    }

    /** A tagged completion. */
    void completed(String tag, String status) {
        if (!tag.equals(selectingTag)) {
            return;
        }
        if (status.equals("OK") && selectingName != null && selectingUidValidity.isPresent()) {
            selected = new Selected(selectingName, selectingUidValidity.getAsLong());
            invalidation.uidValidityChanged(selected.name(), selected.uidValidity());
        }
        selectingTag = null;
        selectingName = null;
    }

    /** CLOSE or UNSELECT completed, or the session logged out. */
    void deselected() {
        selected = null;
    }

    Optional<Selected> selected() {
        return Optional.ofNullable(selected);
    }
}
