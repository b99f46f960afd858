package org.jamesproxy.policy;

import java.util.List;
import java.util.stream.Collectors;

import com.google.common.collect.ImmutableList;

/**
 * One line of a policy's access list: clients from any of {@code from} get {@code disposition}; with
 * {@code autoBlock}, a denied client is also put on the blocked-sites list (the seeds' "Auto-block sites that attempt
 * to connect"). {@code to} (allowed only): the members of the policy's upstream pool these clients may reach, by
 * {@code host:port} (the seeds' To list); empty means any member.
 */
public record AccessRule(String name, ImmutableList<AddressRange> from, Disposition disposition, boolean autoBlock,
                         ImmutableList<String> to) {
    public AccessRule(String name, List<AddressRange> from, Disposition disposition, boolean autoBlock) {
        this(name, ImmutableList.copyOf(from), disposition, autoBlock, ImmutableList.of());
    }

    boolean matches(AddressRange.Client client) {
        for (AddressRange range : from) {
            if (range.contains(client)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return name + " (from " + from.stream().map(AddressRange::toString).collect(Collectors.joining(", "))
            + ": " + disposition.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
            + (autoBlock ? ", auto-block" : "") + (to.isEmpty() ? "" : ", to " + String.join(", ", to)) + ")";
    }
}
