package org.jamesproxy.mailet.action;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * Where a MIME part sits in a message: the zero-based child index at each multipart level, from the root.
 * The empty path is the message itself. A part of a {@code message/rfc822} part continues with the embedded
 * message's own body as index 0. Printed the IMAP way (1-based, dotted), which is what a user sees.
 */
public final class PartPath {
    public static final PartPath ROOT = new PartPath(ImmutableList.of());

    public static PartPath of(List<Integer> indexes) {
        return new PartPath(ImmutableList.copyOf(indexes));
    }

    private final ImmutableList<Integer> indexes;

    private PartPath(ImmutableList<Integer> indexes) {
        Preconditions.checkArgument(indexes.stream().allMatch(index -> index >= 0), "negative part index");
        this.indexes = indexes;
    }

    public List<Integer> getIndexes() {
        return indexes;
    }

    public boolean isRoot() {
        return indexes.isEmpty();
    }

    public PartPath child(int index) {
        return new PartPath(ImmutableList.<Integer>builder().addAll(indexes).add(index).build());
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof PartPath && Objects.equals(indexes, ((PartPath) o).indexes);
    }

    @Override
    public final int hashCode() {
        return indexes.hashCode();
    }

    @Override
    public String toString() {
        return isRoot() ? "message" : indexes.stream().map(index -> String.valueOf(index + 1)).collect(Collectors.joining("."));
    }
}
