package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.mailetcontainer.impl.MailetConfigImpl;
import org.junit.jupiter.api.Test;

class ProxyActionDefinitionTest {
    private static HierarchicalConfiguration<ImmutableNode> action(String content) throws ConfigurationException {
        XMLConfiguration xml = new XMLConfiguration();
        new FileHandler(xml).load(new StringReader("<proxyActions><action name=\"A\">" + content + "</action></proxyActions>"));
        return xml.configurationAt("action");
    }

    private static ProxyActionDefinition parse(String content) throws ConfigurationException {
        return ProxyActionDefinition.parse("A", action(content));
    }

    /** What James's own MailetConfigImpl makes of the element: the reference for the parameters. */
    private static Map<String, String> asJamesSeesIt(HierarchicalConfiguration<ImmutableNode> mailet) {
        MailetConfigImpl config = new MailetConfigImpl();
        config.setConfiguration(mailet);
        Map<String, String> parameters = new LinkedHashMap<>();
        config.getInitParameterNames().forEachRemaining(name -> parameters.put(name, config.getInitParameter(name)));
        return parameters;
    }

    @Test
    void parseShouldKeepTheMailetsInDocumentOrderWithTheirMatch() throws Exception {
        ProxyActionDefinition definition = parse("<mailet match=\"HasHeader=X-Foo=bar\" class=\"Null\"/>"
            + "<mailet notmatch=\"HasHeader=X-Keep\" class=\"RemoveMimeHeader\"><name>X-Secret</name></mailet>"
            + "<mailet class=\"org.jamesproxy.mailet.StripHeaders\"/>");

        assertThat(definition.getName()).isEqualTo("A");
        assertThat(definition.getMailets()).extracting(ProxyActionDefinition.MailetDefinition::getClassName)
            .containsExactly("Null", "RemoveMimeHeader", "org.jamesproxy.mailet.StripHeaders");
        ProxyActionDefinition.Match first = definition.getMailets().get(0).getMatch();
        assertThat(first.isNegated()).isFalse();
        assertThat(first.getMatcherName()).isEqualTo("HasHeader");
        assertThat(first.getCondition()).contains("X-Foo=bar");
        assertThat(definition.getMailets().get(1).getMatch().isNegated()).isTrue();
        assertThat(definition.getMailets().get(1).getMatch().getAttributeName()).isEqualTo("notmatch");
        assertThat(definition.getMailets().get(2).getMatch().getSpec()).isEqualTo("All");
        assertThat(definition.getMailets().get(2).getMatch().getCondition()).isEmpty();
        assertThat(definition.getMailets().get(1).getElement()).isEqualTo("proxyActions.action[@name=A].mailet[2]");
    }

    /** The loader hands MailetConfigImpl the definition's parameters instead of the element: the mailet sees the same. */
    @Test
    void parametersShouldBeWhatJamesMailetConfigWouldGiveTheMailet() throws Exception {
        String mailet = "<mailet match=\"All\" class=\"Null\"><patterns>^X-A$,^X-B$</patterns><name>one</name><name>two</name>"
            + "<nested><inner>deep</inner></nested><dotted..name>d</dotted..name><empty></empty>"
            + "<withAttribute kind=\"k\">v</withAttribute></mailet>";
        HierarchicalConfiguration<ImmutableNode> element = action(mailet).configurationAt("mailet");

        ProxyActionDefinition.MailetDefinition definition = parse(mailet).getMailets().get(0);

        assertThat(definition.getParameter("patterns")).contains("^X-A$,^X-B$");
        assertThat(definition.getParameter("name")).contains("one,two");
        assertThat(definition.getParameter("nested.inner")).contains("deep");
        assertThat(definition.getParameter("class")).isEmpty();
        Map<String, String> loaded = new LinkedHashMap<>();
        MailetConfigImpl config = new MailetConfigImpl();
        config.setConfiguration(ProxyActionLoader.initParameters(definition));
        config.getInitParameterNames().forEachRemaining(name -> loaded.put(name, config.getInitParameter(name)));
        assertThat(loaded).containsExactlyEntriesOf(asJamesSeesIt(element));
    }

    @Test
    void theCanonicalFormShouldChangeWithAnyPartOfTheActionAndOnlyThen() throws Exception {
        String base = "<matcher name=\"c\" match=\"Or\"><matcher match=\"HasHeader=X-A\"/></matcher>"
            + "<mailet match=\"c\" class=\"Null\"/><mailet class=\"StripHeaders\"><patterns>^X-A$</patterns></mailet>";
        String canonical = parse(base).canonicalForm();

        assertThat(parse(base).canonicalForm()).as("the same definition").isEqualTo(canonical);
        assertThat(List.of(
                base.replace("^X-A$", "^X-B$"),
                base.replace("StripHeaders", "StripHeaders2"),
                base.replace("match=\"c\"", "notmatch=\"c\""),
                base.replace("HasHeader=X-A", "HasHeader=X-B"),
                base.replace("<matcher match=\"HasHeader=X-A\"/>", "<matcher match=\"HasHeader=X-A\"/><matcher match=\"All\"/>"),
                base + "<mailet class=\"Null\"/>")
            .stream().map(changed -> {
                try {
                    return parse(changed).canonicalForm();
                } catch (ConfigurationException e) {
                    throw new IllegalStateException(e);
                }
            }))
            .doesNotContain(canonical)
            .doesNotHaveDuplicates();
    }

    @Test
    void namedMatchersShouldKeepTheirNestedMatchers() throws Exception {
        ProxyActionDefinition definition = parse("<matcher name=\"c\" match=\"Or\">"
            + "<matcher match=\"HasHeader=X-A\"/><matcher notmatch=\"HasHeader=X-B\"/></matcher>"
            + "<mailet match=\"c\" class=\"Null\"/>");

        ProxyActionDefinition.MatcherDefinition composite = definition.getMatchers().get("c");
        assertThat(composite.getMatch().getMatcherName()).isEqualTo("Or");
        assertThat(composite.getChildren()).hasSize(2);
        assertThat(composite.getChildren().get(1).getMatch().isNegated()).isTrue();
        assertThat(composite.getChildren().get(1).getElement()).isEqualTo("proxyActions.action[@name=A].matcher[1].matcher[2]");
    }

    @Test
    void twoParsesOfOneElementShouldBeEqualAndTheValuesUnmodifiable() throws Exception {
        String content = "<matcher name=\"c\" match=\"All\"/><mailet match=\"c\" class=\"Null\"><p>1</p></mailet>";

        ProxyActionDefinition definition = parse(content);

        assertThat(definition).isEqualTo(parse(content)).hasSameHashCodeAs(parse(content));
        assertThatThrownBy(() -> definition.getMailets().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> definition.getMailets().get(0).getParameters().put("p", "2"))
            .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void structuralErrorsShouldNameTheElement() {
        assertThatThrownBy(() -> parse("<mailet match=\"=x\" class=\"Null\"/>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessage("proxyActions.action[@name=A].mailet[1] match '=x': no matcher name");
        assertThatThrownBy(() -> parse("<matcher name=\"c\" match=\"All\"/><matcher name=\"c\" match=\"All\"/>"))
            .hasMessage("proxyActions.action[@name=A].matcher[2] name 'c': already defined in this action");
        assertThatThrownBy(() -> parse("<matcher name=\"c\"/>"))
            .hasMessage("proxyActions.action[@name=A].matcher[1]: missing 'match' attribute");
        assertThatThrownBy(() -> parse("<matcher name=\"c\" match=\"Or\"><matcher match=\"All\" notmatch=\"All\"/></matcher>"))
            .hasMessage("proxyActions.action[@name=A].matcher[1].matcher[1]: use either 'match' or 'notmatch', not both");
        assertThatThrownBy(() -> ProxyActionDefinition.parse(" ", new XMLConfiguration()))
            .hasMessage("proxyActions.action: missing 'name' attribute");
    }
}
