package org.jamesproxy.mailet.action;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamesproxy.inspection.DenyText;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.html.HtmlEscapers;

/**
 * The {@code denyMessage} of a rule: the text that replaces a stripped or quarantined part, the notice that replaces
 * a quarantined message, and (when configured) the body of the notice IMAP/POP3 clients get for a denied message.
 * <p>
 * Variables, as in the seeds: {@code %(reason)%}, {@code %(filename)%}, {@code %(virus)%}, {@code %(type)%},
 * {@code %(action)%} (stripped, quarantined, denied, deferred, dropped, blocked, allowed) and {@code %(recovery)%}
 * (the quarantine id, empty otherwise). A variable without a value is replaced by nothing, and a labelled line whose
 * variables are all empty ({@code Virus: %(virus)%} without a virus) is left out; values are made single-line
 * and bounded, and HTML-escaped when the template is HTML. Any other {@code %(...)%} is a configuration error.
 * <p>
 * The first line may be a header ({@link DenyText}): {@code Subject: ...} (subject of a whole-message notice; may use
 * variables) or {@code Content-Type: text/html}. Line ends in XML may be written as real line breaks or {@code \n}.
 */
public final class DenyMessageTemplate {
    public static final String PARAMETER = "denyMessage";
    public static final Set<String> VARIABLES = ImmutableSet.of("reason", "filename", "virus", "type", "action", "recovery");

    public static final String DEFAULT = String.join("\n",
        "The mail proxy %(action)% this content.",
        "",
        "Reason: %(reason)%",
        "File name: %(filename)%",
        "Content type: %(type)%",
        "Virus: %(virus)%",
        "Recovery id: %(recovery)%",
        "",
        "If you need the original, ask your administrator, quoting the lines above.",
        "");

    private static final Pattern VARIABLE = Pattern.compile("%\\((\\w*)\\)%");
    private static final int MAX_VALUE_LENGTH = 200;
    private static final int MAX_TEMPLATE_LENGTH = 16 * 1024;
    private static final Map<RuleAction, String> PAST_TENSE = ImmutableMap.<RuleAction, String>builder()
        .put(RuleAction.ALLOW, "allowed")
        .put(RuleAction.STRIP, "stripped")
        .put(RuleAction.QUARANTINE, "quarantined")
        .put(RuleAction.TEMPFAIL, "deferred")
        .put(RuleAction.DENY, "denied")
        .put(RuleAction.DROP, "dropped")
        .put(RuleAction.BLOCK, "blocked")
        .build();

    private final String template;
    private final boolean html;
    private final boolean configured;

    private DenyMessageTemplate(String template, boolean configured) {
        this.template = template;
        this.html = DenyText.parse(template).getMimeType().equals(DenyText.TEXT_HTML);
        this.configured = configured;
    }

    public static DenyMessageTemplate defaultTemplate() {
        return new DenyMessageTemplate(DEFAULT, false);
    }

    /**
     * @param mailetName for the error message
     * @throws IllegalArgumentException naming the parameter and the offending part of the value
     */
    public static DenyMessageTemplate parse(String mailetName, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            return defaultTemplate();
        }
        // In XML a literal "\n" is easier to write than an element with real line breaks.
        String template = value.get().replace("\\n", "\n").strip() + "\n";
        String where = mailetName + ": invalid value for parameter '" + PARAMETER + "': ";
        if (template.length() > MAX_TEMPLATE_LENGTH) {
            throw new IllegalArgumentException(where + "longer than " + MAX_TEMPLATE_LENGTH + " characters");
        }
        Matcher variables = VARIABLE.matcher(template);
        while (variables.find()) {
            if (!VARIABLES.contains(variables.group(1))) {
                throw new IllegalArgumentException(where + "unknown variable '" + variables.group()
                    + "' (known: %(reason)%, %(filename)%, %(virus)%, %(type)%, %(action)%, %(recovery)%)");
            }
        }
        DenyText.headerLineProblem(template).ifPresent(problem -> {
            throw new IllegalArgumentException(where + problem);
        });
        return new DenyMessageTemplate(template, true);
    }

    /** True when the admin wrote a template (the default is not used for whole-message deny notices). */
    public boolean isConfigured() {
        return configured;
    }

    /** The rendered text, header line (if any) included: what {@link DenyText#parse} splits. */
    public String render(Finding finding, RuleAction action, Optional<String> recovery) {
        Map<String, String> values = ImmutableMap.<String, String>builder()
            .put("reason", finding.getReason())
            .put("filename", finding.getFilename().orElse(""))
            .put("virus", finding.getVirus().orElse(""))
            .put("type", finding.getType().orElse(""))
            .put("action", PAST_TENSE.get(action))
            .put("recovery", recovery.orElse(""))
            .build();
        StringBuilder out = new StringBuilder(template.length() + 256);
        for (String line : template.split("\n", -1)) {
            renderLine(line, values).ifPresent(rendered -> out.append(rendered).append('\n'));
        }
        // split keeps the text after the last line end: the template's final "\n" must not become two.
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /**
     * One template line with its variables replaced; empty when it is a labelled line ("Virus: %(virus)%") whose
     * every variable is empty, so a notice never shows a label without a value.
     */
    private Optional<String> renderLine(String line, Map<String, String> values) {
        Matcher variables = VARIABLE.matcher(line);
        StringBuilder out = new StringBuilder(line.length() + 64);
        boolean anyVariable = false;
        boolean anyValue = false;
        while (variables.find()) {
            anyVariable = true;
            String value = clean(values.getOrDefault(variables.group(1), ""));
            anyValue |= !value.isEmpty();
            variables.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        variables.appendTail(out);
        if (anyVariable && !anyValue && out.toString().strip().endsWith(":")) {
            return Optional.empty();
        }
        return Optional.of(out.toString());
    }

    private String clean(String value) {
        String oneLine = value.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        String bounded = oneLine.length() <= MAX_VALUE_LENGTH ? oneLine : oneLine.substring(0, MAX_VALUE_LENGTH - 3) + "...";
        return html ? HtmlEscapers.htmlEscaper().escape(bounded) : bounded;
    }

    public static String pastTense(RuleAction action) {
        return PAST_TENSE.get(action);
    }
}
