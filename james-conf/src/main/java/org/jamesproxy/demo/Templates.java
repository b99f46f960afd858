package org.jamesproxy.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole template engine of this module: {@code ${key}} is replaced by the XML-escaped value, {@code @{key}} by the
 * value as is (an XML fragment the caller built). A placeholder without a value is an error, so a typo cannot silently
 * produce an empty element. Templates live under {@code org/jamesproxy/demo/templates/}; files copied verbatim under
 * {@code org/jamesproxy/demo/james/}.
 */
final class Templates {
    static final String TEMPLATES = "org/jamesproxy/demo/templates/";
    static final String STATIC_FILES = "org/jamesproxy/demo/james/";

    private static final Pattern PLACEHOLDER = Pattern.compile("([$@])\\{([A-Za-z0-9_.]+)}");

    private Templates() {
    }

    static String render(String template, Map<String, String> values) {
        String text = resource(TEMPLATES + template);
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(2);
            String value = values.get(key);
            if (value == null) {
                throw new IllegalArgumentException("Template " + template + ": no value for " + matcher.group());
            }
            String replacement = matcher.group(1).equals("$") ? escapeXml(value) : value;
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static String resource(String name) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Escapes for XML text and attribute values; harmless in .properties values that contain none of these. */
    static String escapeXml(String value) {
        StringBuilder escaped = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '&': escaped.append("&amp;"); break;
                case '<': escaped.append("&lt;"); break;
                case '>': escaped.append("&gt;"); break;
                case '"': escaped.append("&quot;"); break;
                case '\'': escaped.append("&apos;"); break;
                default: escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
