package org.jamesproxy.inspection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.mailetcontainer.impl.MailetConfigImpl;
import org.apache.james.mailetcontainer.impl.MatcherConfigImpl;
import org.apache.james.mailetcontainer.impl.matchers.CompositeMatcher;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetContext;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.MatcherInverter;

import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableSet;

/**
 * Builds a {@link ProxyAction} from an {@code <action name="...">} element, with the syntax of a James
 * {@code <processor>} in mailetcontainer.xml:
 * <pre>
 * &lt;action name="IMAP-Server.Standard"&gt;
 *   &lt;matcher name="bigOrExe" match="Or"&gt;                    &lt;!-- optional composite: And, Or, Not, Xor --&gt;
 *     &lt;matcher match="SizeGreaterThan=10m"/&gt;
 *     &lt;matcher match="AttachmentFileNameIs=*.exe"/&gt;
 *   &lt;/matcher&gt;
 *   &lt;mailet match="bigOrExe" class="org.jamesproxy.mailet.ProxyVerdict"&gt;
 *     &lt;reason&gt;attachment not allowed&lt;/reason&gt;             &lt;!-- child elements are init parameters --&gt;
 *   &lt;/mailet&gt;
 *   &lt;mailet notmatch="HasHeader=X-Keep" class="RemoveMimeHeader"&gt;&lt;name&gt;X-Secret&lt;/name&gt;&lt;/mailet&gt;
 * &lt;/action&gt;
 * </pre>
 * {@code match} defaults to {@code All}; {@code match} and {@code notmatch} are exclusive. Short class names resolve
 * as James resolves them (the {@link MailetLoader}/{@link MatcherLoader} prefix {@code org.apache.james.transport.mailets.}
 * / {@code .matchers.}), and mailets are initialised with James's own {@link MailetConfigImpl}, so any James mailet
 * behaves exactly as in the mail container. {@code onMailetException}/{@code onMatchException} are not used here: the
 * policy's {@link OnError} decides.
 * <p>
 * Every error is a {@link ConfigurationException} naming the action, the element (1-based, as in XPath) and the value,
 * e.g. {@code proxyActions.action[@name=X].mailet[2] class 'Foo': cannot load: ...}.
 */
public class ProxyActionLoader {
    private static final String ACTIONS_PATH = "proxyActions.action";
    private static final String MAILET = "mailet";
    private static final String MATCHER = "matcher";
    private static final ImmutableSet<String> KNOWN_CHILDREN = ImmutableSet.of(MAILET, MATCHER);
    private static final String DEFAULT_MATCHER = "All";

    private final MailetLoader mailetLoader;
    private final MatcherLoader matcherLoader;
    private final MailetContext mailetContext;

    @Inject
    public ProxyActionLoader(MailetLoader mailetLoader, MatcherLoader matcherLoader, MailetContext mailetContext) {
        this.mailetLoader = mailetLoader;
        this.matcherLoader = matcherLoader;
        this.mailetContext = mailetContext;
    }

    /**
     * @param name the action's name, used in error messages and by {@link ProxyAction#getName()}
     * @param actionElement the {@code <action>} element
     */
    public ProxyAction load(String name, HierarchicalConfiguration<ImmutableNode> actionElement) throws ConfigurationException {
        String where = ACTIONS_PATH + "[@name=" + name + "]";
        if (name == null || name.isBlank()) {
            throw new ConfigurationException(ACTIONS_PATH + ": missing 'name' attribute");
        }
        checkChildren(where, actionElement);

        List<ProxyAction.Step> steps = new ArrayList<>();
        try {
            Map<String, Matcher> namedMatchers = loadNamedMatchers(where, actionElement.configurationsAt(MATCHER));
            List<HierarchicalConfiguration<ImmutableNode>> mailets = actionElement.configurationsAt(MAILET);
            for (int i = 0; i < mailets.size(); i++) {
                steps.add(loadStep(where + "." + MAILET + "[" + (i + 1) + "]", mailets.get(i), namedMatchers));
            }
        } catch (ConfigurationException e) {
            // The server will not start, but do not leave initialised mailets (threads, sockets) behind.
            ProxyAction.of(name, steps).destroy();
            throw e;
        }
        return ProxyAction.of(name, steps);
    }

    private void checkChildren(String where, HierarchicalConfiguration<ImmutableNode> actionElement) throws ConfigurationException {
        // A typo such as <mailett> would otherwise silently disable inspection.
        for (ImmutableNode child : actionElement.getNodeModel().getNodeHandler().getRootNode().getChildren()) {
            if (!KNOWN_CHILDREN.contains(child.getNodeName())) {
                throw new ConfigurationException(where + ": unexpected element <" + child.getNodeName()
                    + ">, expected <mailet> or <matcher>");
            }
        }
    }

    private Map<String, Matcher> loadNamedMatchers(String where, List<HierarchicalConfiguration<ImmutableNode>> elements) throws ConfigurationException {
        Map<String, Matcher> named = new HashMap<>();
        for (int i = 0; i < elements.size(); i++) {
            String elementWhere = where + "." + MATCHER + "[" + (i + 1) + "]";
            HierarchicalConfiguration<ImmutableNode> element = elements.get(i);
            String matcherName = attribute(element, "name")
                .orElseThrow(() -> new ConfigurationException(elementWhere + ": missing 'name' attribute"));
            if (named.containsKey(matcherName)) {
                throw new ConfigurationException(elementWhere + " name '" + matcherName + "': already defined in this action");
            }
            named.put(matcherName, loadMatcherElement(elementWhere, element));
        }
        return named;
    }

    /** A {@code <matcher match|notmatch=...>} element, with its nested children when it is a composite. */
    private Matcher loadMatcherElement(String where, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
        Optional<String> match = attribute(element, "match");
        Optional<String> notMatch = attribute(element, "notmatch");
        if (match.isPresent() && notMatch.isPresent()) {
            throw new ConfigurationException(where + ": use either 'match' or 'notmatch', not both");
        }
        String attributeName = match.isPresent() ? "match" : "notmatch";
        String spec = match.or(() -> notMatch)
            .orElseThrow(() -> new ConfigurationException(where + ": missing 'match' attribute"));

        Matcher matcher = loadMatcher(where, attributeName, spec);
        List<HierarchicalConfiguration<ImmutableNode>> children = element.configurationsAt(MATCHER);
        if (matcher instanceof CompositeMatcher) {
            for (int i = 0; i < children.size(); i++) {
                ((CompositeMatcher) matcher).add(loadMatcherElement(where + "." + MATCHER + "[" + (i + 1) + "]", children.get(i)));
            }
        } else if (!children.isEmpty()) {
            throw new ConfigurationException(where + " " + attributeName + " '" + spec
                + "': only composite matchers (And, Or, Not, Xor) take nested <matcher> elements");
        }
        return notMatch.isPresent() ? new MatcherInverter(matcher) : matcher;
    }

    private ProxyAction.Step loadStep(String where, HierarchicalConfiguration<ImmutableNode> element,
                                      Map<String, Matcher> namedMatchers) throws ConfigurationException {
        String className = attribute(element, "class")
            .orElseThrow(() -> new ConfigurationException(where + ": missing 'class' attribute"));
        Optional<String> match = attribute(element, "match");
        Optional<String> notMatch = attribute(element, "notmatch");
        if (match.isPresent() && notMatch.isPresent()) {
            throw new ConfigurationException(where + ": use either 'match' or 'notmatch', not both");
        }

        Matcher matcher = notMatch.isPresent()
            ? resolveMatcher(where, "notmatch", notMatch.get(), namedMatchers)
            : resolveMatcher(where, "match", match.orElse(DEFAULT_MATCHER), namedMatchers);
        Mailet mailet = loadMailet(where, className, element);
        return notMatch.isPresent()
            ? ProxyAction.Step.notMatching(matcher, mailet)
            : ProxyAction.Step.matching(matcher, mailet);
    }

    private Matcher resolveMatcher(String where, String attributeName, String spec, Map<String, Matcher> namedMatchers) throws ConfigurationException {
        Matcher named = namedMatchers.get(spec);
        if (named != null) {
            return named;
        }
        return loadMatcher(where, attributeName, spec);
    }

    private Matcher loadMatcher(String where, String attributeName, String spec) throws ConfigurationException {
        // Same split as James: "HasHeader=X-Foo=bar" is matcher "HasHeader" with condition "X-Foo=bar".
        int equals = spec.indexOf('=');
        String matcherName = (equals == -1 ? spec : spec.substring(0, equals)).trim();
        if (matcherName.isEmpty()) {
            throw new ConfigurationException(where + " " + attributeName + " '" + spec + "': no matcher name");
        }
        MatcherConfigImpl config = new MatcherConfigImpl();
        config.setMatcherName(matcherName);
        config.setCondition(equals == -1 ? null : spec.substring(equals + 1));
        config.setMailetContext(mailetContext);
        try {
            return Objects.requireNonNull(matcherLoader.getMatcher(config), "the matcher loader returned null");
        } catch (MessagingException | RuntimeException | LinkageError e) {
            throw new ConfigurationException(where + " " + attributeName + " '" + spec + "': cannot load: " + describe(e), e);
        }
    }

    private Mailet loadMailet(String where, String className, HierarchicalConfiguration<ImmutableNode> element) throws ConfigurationException {
        MailetConfigImpl config = new MailetConfigImpl();
        config.setMailetName(className);
        config.setConfiguration(element);
        config.setMailetContext(mailetContext);
        try {
            return Objects.requireNonNull(mailetLoader.getMailet(config), "the mailet loader returned null");
        } catch (MessagingException | RuntimeException | LinkageError e) {
            throw new ConfigurationException(where + " class '" + className + "': cannot load: " + describe(e), e);
        }
    }

    private static Optional<String> attribute(HierarchicalConfiguration<ImmutableNode> element, String name) {
        return Optional.ofNullable(element.getString("[@" + name + "]", null))
            .map(String::trim)
            .filter(value -> !value.isEmpty());
    }

    /**
     * James's loaders wrap the interesting part ("Can not load mailet Foo" caused by ClassNotFoundException, or the
     * mailet's own init message), so the whole cause chain goes into the message.
     */
    private static String describe(Throwable throwable) {
        List<String> parts = new ArrayList<>();
        for (Throwable cause : Throwables.getCausalChain(throwable)) {
            String part = Optional.ofNullable(cause.getMessage())
                .filter(message -> !message.isBlank())
                .map(message -> isGeneric(cause) ? message : cause.getClass().getSimpleName() + ": " + message)
                .orElse(cause.getClass().getSimpleName());
            if (parts.stream().noneMatch(previous -> previous.contains(part))) {
                parts.add(part);
            }
        }
        return String.join(" <- ", parts);
    }

    private static boolean isGeneric(Throwable throwable) {
        return throwable.getClass() == MessagingException.class;
    }
}
