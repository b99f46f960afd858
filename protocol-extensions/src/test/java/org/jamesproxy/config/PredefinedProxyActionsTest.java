package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.jamesproxy.inspection.ProxyActionDefinition;
import org.junit.jupiter.api.Test;

/** The predefined read-only proxy actions, as {@link MailProxyConfiguration} sees them (loading them is tested in integration-tests). */
class PredefinedProxyActionsTest {
    private static final String STRIP_HEADERS = "org.jamesproxy.mailet.StripHeaders";
    private static final String CONTENT_TYPE_RULES = "org.jamesproxy.mailet.ContentTypeRules";
    private static final String FILENAME_RULES = "org.jamesproxy.mailet.FilenameRules";

    private static XMLConfiguration xml(String body) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy>" + body + "</mailproxy>"));
        return configuration;
    }

    private static String imapPolicy(String action) {
        return "<imapproxy><name>in</name><tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host><port>11993</port></upstream><proxyAction>" + action + "</proxyAction></imapproxy>";
    }

    private static List<String> mailetClasses(ProxyActionDefinition action) {
        return action.getMailets().stream()
            .map(ProxyActionDefinition.MailetDefinition::getClassName)
            .collect(Collectors.toList());
    }

    private static String parameter(ProxyActionDefinition action, String mailetClass, String parameter) {
        return action.getMailets().stream()
            .filter(mailet -> mailetClass.equals(mailet.getClassName()))
            .map(mailet -> mailet.getParameter(parameter).orElse(null))
            .findFirst().orElseThrow();
    }

    @Test
    void everyConfigurationShouldKnowTheSixPredefinedActions() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(""));

        assertThat(configuration.getProxyActions()).containsOnlyKeys("IMAP-Server.Standard", "IMAP-Client.Standard",
            "POP3-Server.Standard", "POP3-Client.Standard", "SMTP-Incoming.Standard", "SMTP-Outgoing.Standard");
    }

    @Test
    void aPolicyShouldNameAPredefinedActionWithoutDefiningIt() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(imapPolicy("IMAP-Server.Standard")));

        assertThat(configuration.getImapPolicies().get(0).getPolicy().getInspection().getProxyAction())
            .contains("IMAP-Server.Standard");
        assertThat(mailetClasses(configuration.getProxyActions().get("IMAP-Server.Standard")))
            .containsExactly(STRIP_HEADERS, CONTENT_TYPE_RULES, FILENAME_RULES);
    }

    @Test
    void declaredActionsShouldComeAfterThePredefinedOnes() throws Exception {
        MailProxyConfiguration configuration = MailProxyConfiguration.parse(xml(
            "<proxyActions><action name=\"IMAP-Server.MyCopy\"><mailet class=\"Null\"/></action></proxyActions>"
                + imapPolicy("IMAP-Server.MyCopy")));

        assertThat(configuration.getProxyActions().keySet()).hasSize(7).last().isEqualTo("IMAP-Server.MyCopy");
    }

    @Test
    void redefiningAPredefinedActionShouldNameTheElementAndSayHowToCopyIt() {
        String redefinition = "<proxyActions><action name=\"A\"><mailet class=\"Null\"/></action>"
            + "<action name=\"IMAP-Server.Standard\"><mailet class=\"Null\"/></action></proxyActions>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(redefinition)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.proxyActions.action[1].[@name]")
            .hasMessageContaining("'IMAP-Server.Standard'")
            .hasMessageContaining("predefined, read-only")
            .hasMessageContaining("IMAP-Server.MyCopy");
    }

    @Test
    void anIdenticalRedefinitionShouldBeRefusedToo() {
        // Nothing was ever predefined before, so no old file needs the leniency TLS profiles have.
        String copy = "<proxyActions><action name=\"SMTP-Outgoing.Standard\">"
            + "<mailet match=\"All\" class=\"" + STRIP_HEADERS + "\"><patterns>"
            + parameter(PredefinedProxyActions.definition("SMTP-Outgoing.Standard").orElseThrow(), STRIP_HEADERS, "patterns")
            + "</patterns></mailet></action></proxyActions>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(copy)))
            .hasMessageContaining("mailproxy.proxyActions.action[0].[@name]")
            .hasMessageContaining("SMTP-Outgoing.MyCopy");
    }

    @Test
    void twoActionsWithOneNameShouldBeAConfigurationError() {
        String twice = "<proxyActions><action name=\"Mine\"><mailet class=\"Null\"/></action>"
            + "<action name=\"Mine\"><mailet class=\"Null\"/></action></proxyActions>";

        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(twice)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("mailproxy.proxyActions.action[1].[@name]")
            .hasMessageContaining("already has that name");
    }

    @Test
    void unknownActionErrorShouldListThePredefinedOnes() {
        assertThatThrownBy(() -> MailProxyConfiguration.parse(xml(imapPolicy("IMAP-Server.Standrad"))))
            .hasMessageContaining("'IMAP-Server.Standrad'")
            .hasMessageContaining("IMAP-Server.Standard");
    }

    @Test
    void changingAReturnedDefinitionShouldNotChangeTheNextConfiguration() throws Exception {
        MailProxyConfiguration first = MailProxyConfiguration.parse(xml(""));
        // Definitions are immutable values: a change is refused rather than copied away.
        assertThatThrownBy(() -> first.getProxyActions().get("SMTP-Outgoing.Standard").getMailets().clear())
            .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> first.getProxyActions().get("SMTP-Outgoing.Standard").getMailets().get(0).getParameters()
                .put("patterns", "^Nothing$"))
            .isInstanceOf(UnsupportedOperationException.class);

        MailProxyConfiguration second = MailProxyConfiguration.parse(xml(""));

        assertThat(mailetClasses(second.getProxyActions().get("SMTP-Outgoing.Standard"))).containsExactly(STRIP_HEADERS);
        assertThat(second.getProxyActions()).isEqualTo(first.getProxyActions());
    }

    @Test
    void serverIncomingAndClientActionsShouldStripDangerousAttachmentsAndDenyTheUnscannable() {
        for (String name : List.of("IMAP-Server.Standard", "IMAP-Client.Standard", "POP3-Server.Standard",
            "POP3-Client.Standard", "SMTP-Incoming.Standard")) {
            ProxyActionDefinition action = PredefinedProxyActions.definition(name).orElseThrow();

            assertThat(mailetClasses(action)).as(name).endsWith(CONTENT_TYPE_RULES, FILENAME_RULES);
            assertThat(parameter(action, FILENAME_RULES, "rules")).as(name)
                .contains("*.exe", "*.scr", "*.js", "*.lnk", "*.hta", "*.msi", "* = allow");
            assertThat(parameter(action, CONTENT_TYPE_RULES, "rules")).as(name)
                .contains("application/x-msdownload", "application/x-dosexec", "application/x-sh", "*/* = allow");
            assertThat(parameter(action, CONTENT_TYPE_RULES, "detectContentType")).as(name).isEqualTo("true");
            assertThat(parameter(action, CONTENT_TYPE_RULES, "onUnscannable")).as(name).isEqualTo("deny");
            assertThat(parameter(action, FILENAME_RULES, "onUnscannable")).as(name).isEqualTo("deny");
        }
    }

    @Test
    void everyAttachmentStrippingActionShouldUseTheSameLists() {
        ProxyActionDefinition reference = PredefinedProxyActions.definition("IMAP-Server.Standard").orElseThrow();
        for (String name : List.of("IMAP-Client.Standard", "POP3-Server.Standard", "POP3-Client.Standard", "SMTP-Incoming.Standard")) {
            ProxyActionDefinition action = PredefinedProxyActions.definition(name).orElseThrow();

            assertThat(parameter(action, FILENAME_RULES, "rules")).as(name).isEqualTo(parameter(reference, FILENAME_RULES, "rules"));
            assertThat(parameter(action, CONTENT_TYPE_RULES, "rules")).as(name)
                .isEqualTo(parameter(reference, CONTENT_TYPE_RULES, "rules"));
        }
    }

    @Test
    void smtpOutgoingShouldOnlyStripInternalHeaders() {
        ProxyActionDefinition action = PredefinedProxyActions.definition("SMTP-Outgoing.Standard").orElseThrow();

        assertThat(mailetClasses(action)).containsExactly(STRIP_HEADERS);
        assertThat(parameter(action, STRIP_HEADERS, "patterns")).contains("^X-Originating-IP$", "^X-Internal-");
    }
}
