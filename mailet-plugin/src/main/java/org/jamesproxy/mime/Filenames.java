package org.jamesproxy.mime;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.internet.MimePart;

import com.google.common.collect.ImmutableList;

/**
 * Every name a part could be saved under. Mail readers disagree on which of {@code Content-Disposition: filename},
 * {@code filename*} (RFC 2231, possibly in continuations) and {@code Content-Type: name}/{@code name*} wins, and on
 * repeated headers; so all of them are candidates, and a rule matches if it matches any candidate.
 * <p>
 * Each name also contributes the variants a file system would make of it: trailing dots and blanks removed
 * ({@code evil.exe.} runs as {@code evil.exe} on Windows), the last path segment ({@code ..\evil.exe}), and the text
 * before a NUL character.
 */
public final class Filenames {
    private static final Pattern TRAILING_DOTS_AND_BLANKS = Pattern.compile("[.\\s]+$");

    private Filenames() {
    }

    public static List<String> ofPart(MimePart part) throws MessagingException {
        String[] dispositions = part.getHeader("Content-Disposition");
        String[] contentTypes = part.getHeader("Content-Type");
        return of(dispositions == null ? List.of() : List.of(dispositions), contentTypes == null ? List.of() : List.of(contentTypes));
    }

    /** From the values of the Content-Disposition and Content-Type fields. */
    static List<String> of(Collection<String> dispositions, Collection<String> contentTypes) {
        Set<String> names = new LinkedHashSet<>();
        for (String disposition : dispositions) {
            names.addAll(HeaderParameters.parse(disposition).decoded("filename"));
        }
        for (String contentType : contentTypes) {
            names.addAll(HeaderParameters.parse(contentType).decoded("name"));
        }
        return withVariants(names);
    }

    /** An archive entry: its full path and the variants of its name. */
    public static List<String> ofEntry(String entryName) {
        return withVariants(List.of(entryName));
    }

    static List<String> withVariants(Collection<String> names) {
        Set<String> candidates = new LinkedHashSet<>();
        for (String name : names) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            candidates.add(trimmed);
            int nul = trimmed.indexOf('\0');
            String variant = nul >= 0 ? trimmed.substring(0, nul) : trimmed;
            variant = variant.substring(Math.max(variant.lastIndexOf('/'), variant.lastIndexOf('\\')) + 1);
            variant = TRAILING_DOTS_AND_BLANKS.matcher(variant).replaceAll("");
            if (!variant.isEmpty()) {
                candidates.add(variant);
            }
        }
        return ImmutableList.copyOf(candidates);
    }
}
