package org.jamesproxy.inspection;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * One {@code <action name="...">} element, parsed once at boot into immutable values: its named (possibly composite)
 * matchers and its mailets in document order, each mailet with its class, its {@code match}/{@code notmatch} and its
 * init parameters. The syntax is that of a James {@code <processor>} in mailetcontainer.xml (see
 * {@link ProxyActionLoader}, which turns a definition into a {@link ProxyAction}).
 * <p>
 * Every structural error is a {@link ConfigurationException} naming the action and the element (1-based, as in
 * XPath), e.g. {@code proxyActions.action[@name=X].mailet[2]: missing 'class' attribute}; each part keeps that path
 * ({@link MailetDefinition#getElement()}, {@link MatcherDefinition#getElement()}) so that the loader's errors name
 * the element too.
 */
public final class ProxyActionDefinition {
    private static final String ACTIONS_PATH = "proxyActions.action";
    private static final String MAILET = "mailet";
    private static final String MATCHER = "matcher";
    private static final ImmutableSet<String> KNOWN_CHILDREN = ImmutableSet.of(MAILET, MATCHER);
    private static final String DEFAULT_MATCHER = "All";

    /**
     * A {@code match="..."} or {@code notmatch="..."} attribute. The spec splits as James splits it:
     * {@code HasHeader=X-Foo=bar} is matcher {@code HasHeader} with condition {@code X-Foo=bar}. In a mailet's
     * attribute the spec may instead be the name of one of the action's {@code <matcher name="...">}.
     */
    public static final class Match {
        private final boolean negated;
        private final String spec;
        private final String matcherName;
        private final Optional<String> condition;

        private Match(boolean negated, String spec, String matcherName, Optional<String> condition) {
            this.negated = negated;
            this.spec = spec;
            this.matcherName = matcherName;
            this.condition = condition;
        }

        static Match parse(String where, boolean negated, String spec) throws ConfigurationException {
            int equals = spec.indexOf('=');
            String matcherName = (equals == -1 ? spec : spec.substring(0, equals)).trim();
            if (matcherName.isEmpty()) {
                throw new ConfigurationException(where + " " + attributeName(negated) + " '" + spec + "': no matcher name");
            }
            return new Match(negated, spec, matcherName, equals == -1 ? Optional.empty() : Optional.of(spec.substring(equals + 1)));
        }

        private static String attributeName(boolean negated) {
            return negated ? "notmatch" : "match";
        }

        /** {@code notmatch}: the step runs for the mails the matcher does not match. */
        public boolean isNegated() {
            return negated;
        }

        /** {@code match} or {@code notmatch}. */
        public String getAttributeName() {
            return attributeName(negated);
        }

        /** The attribute's value as written, e.g. {@code HasHeader=X-Foo=bar}. */
        public String getSpec() {
            return spec;
        }

        /** The part before the first {@code =}, e.g. {@code HasHeader}. */
        public String getMatcherName() {
            return matcherName;
        }

        /** The part after the first {@code =}, e.g. {@code X-Foo=bar}; empty without {@code =}. */
        public Optional<String> getCondition() {
            return condition;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof Match) {
                Match that = (Match) o;
                return negated == that.negated && spec.equals(that.spec);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(negated, spec);
        }

        @Override
        public String toString() {
            return getAttributeName() + "=\"" + spec + "\"";
        }
    }

    /** A {@code <matcher match|notmatch="...">} element with its nested {@code <matcher>} elements (composites). */
    public static final class MatcherDefinition {
        private final String element;
        private final Match match;
        private final ImmutableList<MatcherDefinition> children;

        private MatcherDefinition(String element, Match match, ImmutableList<MatcherDefinition> children) {
            this.element = element;
            this.match = match;
            this.children = children;
        }

        static MatcherDefinition parse(String where, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
            Match match = parseMatch(where, element)
                .orElseThrow(() -> new ConfigurationException(where + ": missing 'match' attribute"));
            ImmutableList.Builder<MatcherDefinition> children = ImmutableList.builder();
            List<HierarchicalConfiguration<ImmutableNode>> nested = element.configurationsAt(MATCHER);
            for (int i = 0; i < nested.size(); i++) {
                children.add(parse(where + "." + MATCHER + "[" + (i + 1) + "]", nested.get(i)));
            }
            return new MatcherDefinition(where, match, children.build());
        }

        /** Where it was written, e.g. {@code proxyActions.action[@name=X].matcher[1].matcher[2]}. */
        public String getElement() {
            return element;
        }

        public Match getMatch() {
            return match;
        }

        /** The nested matchers; only a composite matcher (And, Or, Not, Xor) may have some. */
        public List<MatcherDefinition> getChildren() {
            return children;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof MatcherDefinition) {
                MatcherDefinition that = (MatcherDefinition) o;
                return match.equals(that.match) && children.equals(that.children);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(match, children);
        }

        @Override
        public String toString() {
            return children.isEmpty() ? match.toString() : match + " " + children;
        }
    }

    /** A {@code <mailet class="..." match|notmatch="...">} element; its child elements are the init parameters. */
    public static final class MailetDefinition {
        private final String element;
        private final String className;
        private final Match match;
        private final ImmutableMap<String, String> parameters;

        private MailetDefinition(String element, String className, Match match, ImmutableMap<String, String> parameters) {
            this.element = element;
            this.className = className;
            this.match = match;
            this.parameters = parameters;
        }

        static MailetDefinition parse(String where, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
            String className = attribute(element, "class")
                .orElseThrow(() -> new ConfigurationException(where + ": missing 'class' attribute"));
            Match match = parseMatch(where, element).orElse(Match.parse(where, false, DEFAULT_MATCHER));
            return new MailetDefinition(where, className, match, parameters(element));
        }

        /**
         * The init parameters as James's {@code MailetConfigImpl.setConfiguration} derives them from the element: one
         * per key in document order (a nested element is {@code outer.inner}, an escaped {@code ..} a dot), repeated
         * elements joined with commas. The {@code <mailet>} element's own attributes are the step, not parameters
         * (James's {@code getInitParameterNames()} leaves them out as well).
         */
        private static ImmutableMap<String, String> parameters(HierarchicalConfiguration<ImmutableNode> element) {
            Map<String, String> parameters = new LinkedHashMap<>();
            Iterator<String> keys = element.getKeys();
            while (keys.hasNext()) {
                String key = keys.next();
                if (key.startsWith("[@")) {
                    continue;
                }
                parameters.putIfAbsent(key.replaceAll("\\.\\.", "."), String.join(",", element.getStringArray(key)));
            }
            return ImmutableMap.copyOf(parameters);
        }

        /** Where it was written, e.g. {@code proxyActions.action[@name=X].mailet[2]}. */
        public String getElement() {
            return element;
        }

        /** As written: a short name is resolved by James's loader ({@code org.apache.james.transport.mailets.}). */
        public String getClassName() {
            return className;
        }

        /** {@code match="All"} when the element has neither {@code match} nor {@code notmatch}. */
        public Match getMatch() {
            return match;
        }

        /** Every init parameter by name, in document order. */
        public Map<String, String> getParameters() {
            return parameters;
        }

        public Optional<String> getParameter(String name) {
            return Optional.ofNullable(parameters.get(name));
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof MailetDefinition) {
                MailetDefinition that = (MailetDefinition) o;
                return className.equals(that.className) && match.equals(that.match) && parameters.equals(that.parameters);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(className, match, parameters);
        }

        @Override
        public String toString() {
            return match + " -> " + className + (parameters.isEmpty() ? "" : " " + parameters.keySet());
        }
    }

    /**
     * Parses an {@code <action>} element.
     *
     * @param name the action's name (its {@code name} attribute), used in every error and by {@link ProxyAction#getName()}
     */
    public static ProxyActionDefinition parse(String name, HierarchicalConfiguration<ImmutableNode> action) throws ConfigurationException {
        if (name == null || name.isBlank()) {
            throw new ConfigurationException(ACTIONS_PATH + ": missing 'name' attribute");
        }
        String where = ACTIONS_PATH + "[@name=" + name + "]";
        // A typo such as <mailett> would otherwise silently disable inspection.
        for (ImmutableNode child : action.getNodeModel().getNodeHandler().getRootNode().getChildren()) {
            if (!KNOWN_CHILDREN.contains(child.getNodeName())) {
                throw new ConfigurationException(where + ": unexpected element <" + child.getNodeName()
                    + ">, expected <mailet> or <matcher>");
            }
        }
        Map<String, MatcherDefinition> matchers = new LinkedHashMap<>();
        List<HierarchicalConfiguration<ImmutableNode>> matcherElements = action.configurationsAt(MATCHER);
        for (int i = 0; i < matcherElements.size(); i++) {
            String elementWhere = where + "." + MATCHER + "[" + (i + 1) + "]";
            HierarchicalConfiguration<ImmutableNode> element = matcherElements.get(i);
            String matcherName = attribute(element, "name")
                .orElseThrow(() -> new ConfigurationException(elementWhere + ": missing 'name' attribute"));
            if (matchers.containsKey(matcherName)) {
                throw new ConfigurationException(elementWhere + " name '" + matcherName + "': already defined in this action");
            }
            matchers.put(matcherName, MatcherDefinition.parse(elementWhere, element));
        }
        ImmutableList.Builder<MailetDefinition> mailets = ImmutableList.builder();
        List<HierarchicalConfiguration<ImmutableNode>> mailetElements = action.configurationsAt(MAILET);
        for (int i = 0; i < mailetElements.size(); i++) {
            mailets.add(MailetDefinition.parse(where + "." + MAILET + "[" + (i + 1) + "]", mailetElements.get(i)));
        }
        return new ProxyActionDefinition(name, where, ImmutableMap.copyOf(matchers), mailets.build());
    }

    private static Optional<Match> parseMatch(String where, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
        Optional<String> match = attribute(element, "match");
        Optional<String> notMatch = attribute(element, "notmatch");
        if (match.isPresent() && notMatch.isPresent()) {
            throw new ConfigurationException(where + ": use either 'match' or 'notmatch', not both");
        }
        if (match.isPresent()) {
            return Optional.of(Match.parse(where, false, match.get()));
        }
        if (notMatch.isPresent()) {
            return Optional.of(Match.parse(where, true, notMatch.get()));
        }
        return Optional.empty();
    }

    private static Optional<String> attribute(HierarchicalConfiguration<ImmutableNode> element, String name) {
        return Optional.ofNullable(element.getString("[@" + name + "]", null))
            .map(String::trim)
            .filter(value -> !value.isEmpty());
    }

    private final String name;
    private final String element;
    private final ImmutableMap<String, MatcherDefinition> matchers;
    private final ImmutableList<MailetDefinition> mailets;

    private ProxyActionDefinition(String name, String element, ImmutableMap<String, MatcherDefinition> matchers,
                                  ImmutableList<MailetDefinition> mailets) {
        this.name = name;
        this.element = element;
        this.matchers = matchers;
        this.mailets = mailets;
    }

    public String getName() {
        return name;
    }

    /** {@code proxyActions.action[@name=...]}. */
    public String getElement() {
        return element;
    }

    /** The {@code <matcher name="...">} elements by name, in document order; a mailet's {@code match} may name one. */
    public Map<String, MatcherDefinition> getMatchers() {
        return matchers;
    }

    /** The steps, in document order. */
    public List<MailetDefinition> getMailets() {
        return mailets;
    }

    /**
     * Everything the action is made of (its name, matchers, and each mailet's class, condition and init parameters
     * with their values) as one text: equal for equal definitions, different when any of it changes. What a
     * parameter points to (a rules file, an engine's address) is not read. It holds parameter values: hash it
     * before it leaves the process.
     */
    public String canonicalForm() {
        StringBuilder canonical = new StringBuilder();
        field(canonical, name);
        matchers.forEach((matcherName, matcher) -> {
            field(canonical, "matcher");
            field(canonical, matcherName);
            matcherFields(canonical, matcher);
        });
        for (MailetDefinition mailet : mailets) {
            field(canonical, "mailet");
            field(canonical, mailet.getClassName());
            field(canonical, mailet.getMatch().toString());
            mailet.getParameters().forEach((parameter, value) -> {
                field(canonical, parameter);
                field(canonical, value);
            });
        }
        return canonical.toString();
    }

    private static void matcherFields(StringBuilder canonical, MatcherDefinition matcher) {
        field(canonical, matcher.getMatch().toString());
        field(canonical, String.valueOf(matcher.getChildren().size()));
        for (MatcherDefinition child : matcher.getChildren()) {
            matcherFields(canonical, child);
        }
    }

    /** Length-prefixed, so that no two definitions share a canonical form. */
    private static void field(StringBuilder canonical, String value) {
        canonical.append(value.length()).append(':').append(value);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ProxyActionDefinition) {
            ProxyActionDefinition that = (ProxyActionDefinition) o;
            return name.equals(that.name) && matchers.equals(that.matchers) && mailets.equals(that.mailets);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, matchers, mailets);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("name", name)
            .add("matchers", matchers)
            .add("mailets", mailets)
            .toString();
    }
}
