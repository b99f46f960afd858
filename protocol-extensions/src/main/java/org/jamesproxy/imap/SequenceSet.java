package org.jamesproxy.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * An IMAP sequence set ({@code 1:5,7,9:*}) as far as the view fetch needs it: does a FETCH response belong to the
 * client's command, or is it an unsolicited flag update that happened to arrive meanwhile? {@code *} is taken as
 * unbounded and {@code $} (SEARCHRES) as everything: a superset, never a message left out.
 */
final class SequenceSet {
    private record Range(long low, long high) {
    }

    private final List<Range> ranges;
    private final boolean everything;

    private SequenceSet(List<Range> ranges, boolean everything) {
        this.ranges = ranges;
        this.everything = everything;
    }

    static SequenceSet parse(String set) {
        List<Range> ranges = new ArrayList<>();
        for (String item : set.split(",")) {
            if (item.equals("$")) {
                return new SequenceSet(List.of(), true);
            }
            String[] bounds = item.split(":", 2);
            long first = number(bounds[0]);
            long second = bounds.length > 1 ? number(bounds[1]) : first;
            ranges.add(new Range(Math.min(first, second), Math.max(first, second)));
        }
        return new SequenceSet(ranges, false);
    }

    private static long number(String text) {
        if (text.equals("*")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid sequence set");
        }
    }

    /** The one message the set names ({@code 42}), or -1 for anything else (ranges, lists, {@code *}, {@code $}). */
    long single() {
        if (everything || ranges.size() != 1) {
            return -1;
        }
        Range range = ranges.get(0);
        return range.low() == range.high() && range.low() != Long.MAX_VALUE ? range.low() : -1;
    }

    boolean contains(long number) {
        if (everything) {
            return true;
        }
        for (Range range : ranges) {
            if (number >= range.low() && number <= range.high()) {
                return true;
            }
        }
        return false;
    }
}
