package org.jamesproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Path;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

/** {@code <imapproxy><inspection>}: partialFetch, the view cache and APPEND, parsed once with errors naming the element. */
class ImapPolicyInspectionTest {
    private static ImapPolicy parse(String inspection) throws ConfigurationException {
        XMLConfiguration configuration = new XMLConfiguration();
        new FileHandler(configuration).load(new StringReader("<mailproxy><imapproxy><name>imap</name>"
            + "<tls><keystore>file://conf/keystore</keystore><secret>x</secret></tls>"
            + "<upstream><host>127.0.0.1</host></upstream>" + inspection + "</imapproxy></mailproxy>"));
        return MailProxyConfiguration.parse(configuration).getImapPolicies().get(0);
    }

    @Test
    void defaultsShouldInspectPartialFetchesWithABoundedCacheAndRelayAppends() throws Exception {
        ImapPolicy policy = parse("");

        assertThat(policy.getPolicy().getInspection().getPartialFetch()).isEqualTo(InspectionSettings.PartialFetch.INSPECT);
        assertThat(policy.getViewCache().getMaxEntries()).isEqualTo(10_000);
        assertThat(policy.getViewCache().getMaxBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(policy.getViewCache().getSpillAbove()).isEqualTo(1024 * 1024);
        assertThat(policy.getViewCache().getSpillDirectory()).isEqualTo(
            Path.of(System.getProperty("java.io.tmpdir"), "jamesproxy-views"));
        assertThat(policy.getAppend()).isEqualTo(ImapPolicy.Append.PASS);
        assertThat(policy.getViewCache().getReadAhead()).isEqualTo(8);
    }

    @Test
    void settingsShouldBeRead() throws Exception {
        ImapPolicy policy = parse("<inspection><partialFetch>pass</partialFetch><append>inspect</append><viewCache>"
            + "<maxEntries>50</maxEntries><maxBytes>64M</maxBytes><spillAbove>512K</spillAbove>"
            + "<spillDirectory>/var/tmp/views</spillDirectory></viewCache></inspection>");

        assertThat(policy.getPolicy().getInspection().getPartialFetch()).isEqualTo(InspectionSettings.PartialFetch.PASS);
        assertThat(policy.getAppend()).isEqualTo(ImapPolicy.Append.INSPECT);
        assertThat(policy.getViewCache()).isEqualTo(new ViewCacheSettings(50, 64L * 1024 * 1024, 512 * 1024, Path.of("/var/tmp/views")));
    }

    @Test
    void largeViewMemoryShouldBeReadDefaultWithinMaxBytesAndNamedWhenTooLarge() throws Exception {
        assertThat(parse("<inspection/>").getViewCache().getLargeViewMemory()).isEqualTo(64L * 1024 * 1024);
        assertThat(parse("<inspection><viewCache><largeViewMemory>0</largeViewMemory></viewCache></inspection>")
            .getViewCache().getLargeViewMemory()).isZero();
        assertThat(parse("<inspection><viewCache><largeViewMemory>16M</largeViewMemory></viewCache></inspection>")
            .getViewCache().getLargeViewMemory()).isEqualTo(16L * 1024 * 1024);
        assertThat(parse("<inspection><viewCache><maxBytes>8M</maxBytes></viewCache></inspection>")
            .getViewCache().getLargeViewMemory()).isEqualTo(8L * 1024 * 1024);
        assertThatThrownBy(() -> parse("<inspection><viewCache><maxBytes>8M</maxBytes><largeViewMemory>9M</largeViewMemory>"
                + "</viewCache></inspection>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("inspection.viewCache.largeViewMemory");
    }

    @Test
    void readAheadShouldBeReadAndBounded() throws Exception {
        assertThat(parse("<inspection><viewCache><readAhead>0</readAhead></viewCache></inspection>").getViewCache().getReadAhead())
            .isZero();
        assertThatThrownBy(() -> parse("<inspection><viewCache><readAhead>100</readAhead></viewCache></inspection>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("inspection.viewCache.readAhead");
    }

    @Test
    void spillThresholdAboveTheCacheShouldNameTheElement() {
        assertThatThrownBy(() -> parse("<inspection><viewCache><maxBytes>1M</maxBytes><spillAbove>2M</spillAbove></viewCache></inspection>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("inspection.viewCache.spillAbove");
    }

    @Test
    void unknownPartialFetchShouldNameTheElementAndTheChoices() {
        assertThatThrownBy(() -> parse("<inspection><partialFetch>sometimes</partialFetch></inspection>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("partialFetch").hasMessageContaining("inspect");
    }

    @Test
    void invalidCacheSizeShouldNameTheElement() {
        assertThatThrownBy(() -> parse("<inspection><viewCache><maxEntries>0</maxEntries></viewCache></inspection>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("inspection.viewCache.maxEntries");
    }
}
