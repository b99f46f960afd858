package org.jamesproxy.mime;

import java.io.ByteArrayOutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.internet.MimeUtility;

import com.google.common.collect.ImmutableList;

/**
 * A structured header value ({@code Content-Type}, {@code Content-Disposition}) split into its leading value and
 * <em>every</em> parameter as written, duplicates included. javax.mail's {@code ParameterList} keeps one value per
 * name, which hides exactly the ambiguities an attacker relies on (two {@code boundary=}, {@code filename} vs
 * {@code filename*}); this parser keeps them so rules can see all of them.
 * <p>
 * Lenient like mail readers: RFC 822 comments outside quotes are dropped, quoted strings honour backslash escapes,
 * a parameter without {@code =} is ignored, header folding is undone.
 */
public final class HeaderParameters {
    /** One parameter as written: name lower-cased (with any RFC 2231 {@code *N*} suffix), value unquoted. */
    public static final class Parameter {
        private final String name;
        private final String value;

        Parameter(String name, String value) {
            this.name = name;
            this.value = value;
        }

        public String getName() {
            return name;
        }

        public String getValue() {
            return value;
        }
    }

    private static final Pattern SECTION = Pattern.compile("([^*]+)\\*(\\d+)(\\*?)");

    public static HeaderParameters parse(String headerValue) {
        String unfolded = headerValue.replace("\r", "").replace("\n", "");
        List<String> segments = split(unfolded);
        String value = segments.isEmpty() ? "" : segments.get(0).trim().toLowerCase(Locale.US);
        ImmutableList.Builder<Parameter> parameters = ImmutableList.builder();
        for (String segment : segments.subList(Math.min(1, segments.size()), segments.size())) {
            int equals = segment.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String name = segment.substring(0, equals).trim().toLowerCase(Locale.US);
            if (!name.isEmpty()) {
                parameters.add(new Parameter(name, unquote(segment.substring(equals + 1).trim())));
            }
        }
        return new HeaderParameters(value, parameters.build());
    }

    /** Splits on {@code ;} outside quoted strings, dropping comments outside quoted strings; quotes kept. */
    private static List<String> split(String value) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        int comment = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                current.append(c);
                if (c == '\\' && i + 1 < value.length()) {
                    current.append(value.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (comment > 0) {
                if (c == '\\') {
                    i++;
                } else if (c == '(') {
                    comment++;
                } else if (c == ')') {
                    comment--;
                }
            } else if (c == '"') {
                quoted = true;
                current.append(c);
            } else if (c == '(') {
                comment++;
            } else if (c == ';') {
                segments.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(current.toString());
        return segments;
    }

    private static String unquote(String value) {
        if (!value.startsWith("\"")) {
            return value;
        }
        StringBuilder unquoted = new StringBuilder();
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                unquoted.append(value.charAt(++i));
            } else if (c == '"') {
                break;
            } else {
                unquoted.append(c);
            }
        }
        return unquoted.toString();
    }

    private final String value;
    private final ImmutableList<Parameter> parameters;

    private HeaderParameters(String value, ImmutableList<Parameter> parameters) {
        this.value = value;
        this.parameters = parameters;
    }

    /** The leading value, lower-cased: {@code multipart/mixed}, {@code attachment}. */
    public String getValue() {
        return value;
    }

    public List<Parameter> getParameters() {
        return parameters;
    }

    /**
     * How many separate definitions of a parameter there are: each {@code name=}, each {@code name*=}, and one for
     * a whole {@code name*0=... name*1=...} continuation group. More than one is ambiguous.
     */
    public int definitions(String name) {
        int count = 0;
        boolean sections = false;
        for (Parameter parameter : parameters) {
            if (parameter.name.equals(name) || parameter.name.equals(name + "*")) {
                count++;
            } else if (isSectionOf(parameter, name)) {
                sections = true;
            }
        }
        return count + (sections ? 1 : 0);
    }

    /**
     * Every value the parameter is given, decoded: plain values (RFC 2047 encoded words decoded, as many mailers
     * write them although RFC 2047 forbids it in parameters), RFC 2231 {@code name*=} values and the assembled RFC
     * 2231 continuation {@code name*0[*]=, name*1[*]=...}. In header order, duplicates removed.
     */
    public List<String> decoded(String name) {
        Set<String> values = new LinkedHashSet<>();
        TreeMap<Integer, Parameter> sections = new TreeMap<>();
        for (Parameter parameter : parameters) {
            if (parameter.name.equals(name)) {
                values.add(decodeEncodedWords(parameter.value));
            } else if (parameter.name.equals(name + "*")) {
                values.add(decodeExtended(List.of(parameter), true));
            } else if (isSectionOf(parameter, name)) {
                Matcher matcher = SECTION.matcher(parameter.name);
                if (matcher.matches()) {
                    // A repeated section number: keep the first, as most readers do.
                    sections.putIfAbsent(Integer.parseInt(matcher.group(2)), parameter);
                }
            }
        }
        if (!sections.isEmpty()) {
            values.add(decodeExtended(new ArrayList<>(sections.values()), false));
        }
        return ImmutableList.copyOf(values);
    }

    private static boolean isSectionOf(Parameter parameter, String name) {
        Matcher matcher = SECTION.matcher(parameter.name);
        return matcher.matches() && matcher.group(1).equals(name);
    }

    static String decodeEncodedWords(String value) {
        if (!value.contains("=?")) {
            return value;
        }
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }

    /**
     * RFC 2231: the first encoded section may carry {@code charset'language'}; encoded sections are %-escaped bytes,
     * plain sections literal. The bytes of all sections are joined, then decoded with the charset (US-ASCII/UTF-8
     * when none; ISO-8859-1 when unknown, so the name still comes out).
     */
    private static String decodeExtended(List<Parameter> sections, boolean singleEncoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Optional<String> charset = Optional.empty();
        boolean first = true;
        for (Parameter section : sections) {
            boolean encoded = singleEncoded || section.name.endsWith("*");
            String text = section.value;
            if (encoded && first) {
                int quote1 = text.indexOf('\'');
                int quote2 = quote1 < 0 ? -1 : text.indexOf('\'', quote1 + 1);
                if (quote2 > 0) {
                    String declared = text.substring(0, quote1).trim();
                    charset = declared.isEmpty() ? Optional.empty() : Optional.of(declared);
                    text = text.substring(quote2 + 1);
                }
            }
            first = false;
            if (encoded) {
                percentDecode(text, bytes);
            } else {
                byte[] literal = text.getBytes(StandardCharsets.UTF_8);
                bytes.write(literal, 0, literal.length);
            }
        }
        return new String(bytes.toByteArray(), charset.map(HeaderParameters::charset).orElse(StandardCharsets.UTF_8));
    }

    private static void percentDecode(String text, ByteArrayOutputStream bytes) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && isHex(text.charAt(i + 1)) && isHex(text.charAt(i + 2))) {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] literal = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(literal, 0, literal.length);
            }
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static Charset charset(String name) {
        try {
            return Charset.forName(MimeUtility.javaCharset(name));
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
