package org.jamesproxy.mime;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A case-insensitive glob: {@code *} matches any run of characters (also none, also {@code /}), {@code ?} exactly
 * one; every other character is literal. The whole candidate must match ({@code *.exe} does not match
 * {@code a.exe.txt}).
 */
public final class Glob {
    public static Glob of(String glob) {
        return new Glob(glob);
    }

    private final String text;
    private final Pattern pattern;

    private Glob(String text) {
        this.text = Objects.requireNonNull(text);
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        this.pattern = Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    public boolean matches(String candidate) {
        return pattern.matcher(candidate).matches();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Glob && text.equals(((Glob) o).text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
