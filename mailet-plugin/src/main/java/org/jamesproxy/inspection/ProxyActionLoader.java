package org.jamesproxy.inspection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.convert.DisabledListDelimiterHandler;
import org.apache.commons.configuration2.ex.ConfigurationException;
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

/**
 * Builds a {@link ProxyAction} from a {@link ProxyActionDefinition}, the parsed {@code <action name="...">} element,
 * with the syntax of a James {@code <processor>} in mailetcontainer.xml:
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
 * Structural errors are the definition's ({@link ProxyActionDefinition#parse}); the loader's are those only loading
 * finds (a class or matcher that does not load, a mailet's init failing, nested matchers under a matcher that is not
 * a composite). Every error is a {@link ConfigurationException} naming the action, the element (1-based, as in XPath)
 * and the value, e.g. {@code proxyActions.action[@name=X].mailet[2] class 'Foo': cannot load: ...}.
 */
public class ProxyActionLoader {
    private final MailetLoader mailetLoader;
    private final MatcherLoader matcherLoader;
    private final MailetContext mailetContext;

    @Inject
    public ProxyActionLoader(MailetLoader mailetLoader, MatcherLoader matcherLoader, MailetContext mailetContext) {
        this.mailetLoader = mailetLoader;
        this.matcherLoader = matcherLoader;
        this.mailetContext = mailetContext;
    }

    /** Loads and initialises every matcher and mailet of the definition, in document order. */
    public ProxyAction load(ProxyActionDefinition definition) throws ConfigurationException {
        List<ProxyAction.Step> steps = new ArrayList<>();
        try {
            Map<String, Matcher> namedMatchers = new HashMap<>();
            for (Map.Entry<String, ProxyActionDefinition.MatcherDefinition> named : definition.getMatchers().entrySet()) {
                namedMatchers.put(named.getKey(), loadMatcherElement(named.getValue()));
            }
            for (ProxyActionDefinition.MailetDefinition mailet : definition.getMailets()) {
                steps.add(loadStep(mailet, namedMatchers));
            }
        } catch (ConfigurationException e) {
            // The server will not start, but do not leave initialised mailets (threads, sockets) behind.
            ProxyAction.of(definition.getName(), steps).destroy();
            throw e;
        }
        return ProxyAction.of(definition.getName(), steps);
    }

    /** A {@code <matcher match|notmatch=...>} element, with its nested children when it is a composite. */
    private Matcher loadMatcherElement(ProxyActionDefinition.MatcherDefinition definition) throws ConfigurationException {
        String where = definition.getElement();
        ProxyActionDefinition.Match match = definition.getMatch();
        Matcher matcher = loadMatcher(where, match);
        if (matcher instanceof CompositeMatcher) {
            for (ProxyActionDefinition.MatcherDefinition child : definition.getChildren()) {
                ((CompositeMatcher) matcher).add(loadMatcherElement(child));
            }
        } else if (!definition.getChildren().isEmpty()) {
            throw new ConfigurationException(where + " " + match.getAttributeName() + " '" + match.getSpec()
                + "': only composite matchers (And, Or, Not, Xor) take nested <matcher> elements");
        }
        return match.isNegated() ? new MatcherInverter(matcher) : matcher;
    }

    private ProxyAction.Step loadStep(ProxyActionDefinition.MailetDefinition definition,
                                      Map<String, Matcher> namedMatchers) throws ConfigurationException {
        ProxyActionDefinition.Match match = definition.getMatch();
        Matcher named = namedMatchers.get(match.getSpec());
        Matcher matcher = named != null ? named : loadMatcher(definition.getElement(), match);
        Mailet mailet = loadMailet(definition);
        return match.isNegated()
            ? ProxyAction.Step.notMatching(matcher, mailet)
            : ProxyAction.Step.matching(matcher, mailet);
    }

    private Matcher loadMatcher(String where, ProxyActionDefinition.Match match) throws ConfigurationException {
        MatcherConfigImpl config = new MatcherConfigImpl();
        config.setMatcherName(match.getMatcherName());
        config.setCondition(match.getCondition().orElse(null));
        config.setMailetContext(mailetContext);
        try {
            return Objects.requireNonNull(matcherLoader.getMatcher(config), "the matcher loader returned null");
        } catch (MessagingException | RuntimeException | LinkageError e) {
            throw new ConfigurationException(where + " " + match.getAttributeName() + " '" + match.getSpec()
                + "': cannot load: " + describe(e), e);
        }
    }

    private Mailet loadMailet(ProxyActionDefinition.MailetDefinition definition) throws ConfigurationException {
        MailetConfigImpl config = new MailetConfigImpl();
        config.setMailetName(definition.getClassName());
        config.setConfiguration(initParameters(definition));
        config.setMailetContext(mailetContext);
        try {
            return Objects.requireNonNull(mailetLoader.getMailet(config), "the mailet loader returned null");
        } catch (MessagingException | RuntimeException | LinkageError e) {
            throw new ConfigurationException(definition.getElement() + " class '" + definition.getClassName()
                + "': cannot load: " + describe(e), e);
        }
    }

    /**
     * James's {@link MailetConfigImpl} takes its parameters from a commons-configuration object, whose keys its
     * {@code setConfiguration} reads with {@code ..} turned into {@code .}. The definition's parameters are already
     * what that gives, so each goes in as one flat key with its dots escaped ({@code .} written {@code ..}): the mailet
     * then sees exactly the names and values it would have seen with the element itself.
     */
    static BaseHierarchicalConfiguration initParameters(ProxyActionDefinition.MailetDefinition definition) {
        BaseHierarchicalConfiguration parameters = new BaseHierarchicalConfiguration();
        parameters.setListDelimiterHandler(new DisabledListDelimiterHandler());
        definition.getParameters().forEach((name, value) -> parameters.addProperty(name.replace(".", ".."), value));
        return parameters;
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
