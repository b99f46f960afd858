package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.james.mailetcontainer.impl.matchers.Or;
import org.apache.james.transport.matchers.All;
import org.apache.james.transport.matchers.HasHeader;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.MatcherInverter;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamesproxy.mailet.StripHeaders;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyActionLoaderTest {
    /**
     * Test double for James's Guice loaders: same naming rule (a short name lives in
     * org.apache.james.transport.mailets/.matchers), same init call, same "Can not load" wrapping.
     */
    private static final class ReflectiveLoader implements MailetLoader, MatcherLoader {
        private final List<Mailet> loadedMailets = new ArrayList<>();

        @Override
        public Mailet getMailet(MailetConfig config) throws MessagingException {
            try {
                Mailet mailet = (Mailet) instantiate("org.apache.james.transport.mailets.", config.getMailetName());
                mailet.init(config);
                loadedMailets.add(mailet);
                return mailet;
            } catch (Exception e) {
                throw new MessagingException("Can not load mailet " + config.getMailetName(), e);
            }
        }

        @Override
        public Matcher getMatcher(MatcherConfig config) throws MessagingException {
            try {
                Matcher matcher = (Matcher) instantiate("org.apache.james.transport.matchers.", config.getMatcherName());
                matcher.init(config);
                return matcher;
            } catch (Exception e) {
                throw new MessagingException("Can not load matcher " + config.getMatcherName(), e);
            }
        }

        private static Object instantiate(String defaultPackage, String name) throws ReflectiveOperationException {
            String className = name.contains(".") ? name : defaultPackage + name;
            return Class.forName(className).getDeclaredConstructor().newInstance();
        }
    }

    /** Lets a test see that an action that fails to load does not leave its mailets initialised. */
    public static final class DestroyRecordingMailet extends GenericMailet {
        private boolean destroyed = false;

        @Override
        public void service(Mail mail) {
        }

        @Override
        public void destroy() {
            destroyed = true;
        }
    }

    private ReflectiveLoader loader;
    private MailetContext mailetContext;
    private ProxyActionLoader testee;

    @BeforeEach
    void setUp() {
        loader = new ReflectiveLoader();
        mailetContext = FakeMailContext.defaultContext();
        testee = new ProxyActionLoader(loader, loader, mailetContext);
    }

    private static HierarchicalConfiguration<ImmutableNode> action(String content) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader("<proxyActions><action name=\"A\">" + content + "</action></proxyActions>"));
        return xml.configurationAt("action");
    }

    /** Parsing and loading, as the proxy does at boot: the errors of either name the element. */
    private ProxyAction load(String content) throws ConfigurationException {
        return testee.load(ProxyActionDefinition.parse("A", action(content)));
    }

    @Test
    void loadShouldBuildTheStepsInDocumentOrder() throws Exception {
        ProxyAction action = load(
            "<mailet match=\"HasHeader=X-Secret\" class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Secret$</patterns></mailet>"
                + "<mailet match=\"All\" class=\"Null\"/>");

        assertThat(action.getName()).isEqualTo("A");
        assertThat(action.getSteps()).extracting(ProxyAction.Step::toString)
            .containsExactly("HasHeader=X-Secret -> org.jamesproxy.mailet.StripHeaders", "All -> Null");
        assertThat(action.getSteps().get(0).getMailet()).isInstanceOf(StripHeaders.class);
        assertThat(action.getSteps().get(0).getMatcher()).isInstanceOf(HasHeader.class);
    }

    @Test
    void loadShouldPassChildElementsAsInitParametersAndTheMailetContext() throws Exception {
        ProxyAction action = load(
            "<mailet class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>^X-Internal-,^X-Originating-IP$</patterns></mailet>");

        MailetConfig config = action.getSteps().get(0).getMailet().getMailetConfig();
        assertThat(config.getInitParameter("patterns")).isEqualTo("^X-Internal-,^X-Originating-IP$");
        assertThat(config.getMailetContext()).isSameAs(mailetContext);
    }

    @Test
    void loadShouldDefaultTheMatcherToAll() throws Exception {
        ProxyAction action = load("<mailet class=\"Null\"/>");

        assertThat(action.getSteps().get(0).getMatcher()).isInstanceOf(All.class);
    }

    @Test
    void loadShouldSplitTheMatcherNameFromItsCondition() throws Exception {
        ProxyAction action = load("<mailet match=\"HasHeader=X-Foo=bar\" class=\"Null\"/>");

        MatcherConfig config = action.getSteps().get(0).getMatcher().getMatcherConfig();
        assertThat(config.getMatcherName()).isEqualTo("HasHeader");
        assertThat(config.getCondition()).isEqualTo("X-Foo=bar");
    }

    @Test
    void loadShouldInvertANotmatchMatcher() throws Exception {
        ProxyAction.Step step = load("<mailet notmatch=\"HasHeader=X-Keep\" class=\"Null\"/>").getSteps().get(0);

        assertThat(step.isNegated()).isTrue();
        assertThat(step.getMatcher()).isInstanceOf(HasHeader.class);
        assertThat(step.effectiveMatcher()).isInstanceOf(MatcherInverter.class);
    }

    @Test
    void loadShouldResolveANamedCompositeMatcher() throws Exception {
        ProxyAction action = load(
            "<matcher name=\"secretOrInternal\" match=\"org.apache.james.mailetcontainer.impl.matchers.Or\">"
                + "<matcher match=\"HasHeader=X-Secret\"/><matcher match=\"HasHeader=X-Internal\"/>"
                + "</matcher>"
                + "<mailet match=\"secretOrInternal\" class=\"Null\"/>");

        Matcher matcher = action.getSteps().get(0).getMatcher();
        assertThat(matcher).isInstanceOf(Or.class);
        assertThat(((Or) matcher).getMatchers()).hasSize(2).allSatisfy(child -> assertThat(child).isInstanceOf(HasHeader.class));
    }

    @Test
    void loadShouldReturnAnEmptyActionWhenThereIsNoMailet() throws Exception {
        assertThat(load("")).isEqualTo(ProxyAction.empty("A"));
    }

    @Test
    void loadShouldNameTheElementWhenTheClassIsMissing() {
        assertThatThrownBy(() -> load("<mailet class=\"Null\"/><mailet match=\"All\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("proxyActions.action[@name=A].mailet[2]: missing 'class' attribute");
    }

    @Test
    void loadShouldNameTheElementAndTheValueWhenAMailetCannotBeLoaded() {
        assertThatThrownBy(() -> load("<mailet class=\"Null\"/><mailet class=\"NoSuchMailet\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("proxyActions.action[@name=A].mailet[2] class 'NoSuchMailet': cannot load: ")
            .hasMessageContaining("ClassNotFoundException");
    }

    @Test
    void loadShouldReportTheMailetInitFailure() {
        assertThatThrownBy(() -> load("<mailet class=\"org.jamesproxy.mailet.StripHeaders\"><patterns>X-(</patterns></mailet>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("proxyActions.action[@name=A].mailet[1] class 'org.jamesproxy.mailet.StripHeaders': cannot load: ")
            .hasMessageContaining("invalid regular expression 'X-('");
    }

    @Test
    void loadShouldNameTheElementAndTheValueWhenAMatcherCannotBeLoaded() {
        assertThatThrownBy(() -> load("<mailet match=\"NoSuchMatcher=1\" class=\"Null\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("proxyActions.action[@name=A].mailet[1] match 'NoSuchMatcher=1': cannot load: ");
    }

    @Test
    void loadShouldNameTheNestedMatcherElementThatFails() {
        assertThatThrownBy(() -> load(
                "<matcher name=\"c\" match=\"org.apache.james.mailetcontainer.impl.matchers.Or\">"
                    + "<matcher match=\"All\"/><matcher match=\"Nope\"/></matcher>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("proxyActions.action[@name=A].matcher[1].matcher[2] match 'Nope': cannot load: ");
    }

    @Test
    void loadShouldRejectMatchAndNotmatchTogether() {
        assertThatThrownBy(() -> load("<mailet match=\"All\" notmatch=\"All\" class=\"Null\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("proxyActions.action[@name=A].mailet[1]: use either 'match' or 'notmatch', not both");
    }

    @Test
    void loadShouldRejectAnUnknownChildElement() {
        assertThatThrownBy(() -> load("<mailett class=\"Null\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("proxyActions.action[@name=A]: unexpected element <mailett>");
    }

    @Test
    void loadShouldRejectANamelessTopLevelMatcher() {
        assertThatThrownBy(() -> load("<matcher match=\"All\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("proxyActions.action[@name=A].matcher[1]: missing 'name' attribute");
    }

    @Test
    void loadShouldDestroyTheMailetsAlreadyLoadedWhenALaterOneFails() {
        assertThatThrownBy(() -> load("<mailet class=\"" + DestroyRecordingMailet.class.getName() + "\"/><mailet class=\"Nope\"/>"))
            .isInstanceOf(ConfigurationException.class);

        assertThat(loader.loadedMailets).singleElement()
            .satisfies(mailet -> assertThat(((DestroyRecordingMailet) mailet).destroyed).isTrue());
    }
}
