package org.jamesproxy.inspection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jamesproxy.MessageFixtures.SIMPLE;
import static org.jamesproxy.MessageFixtures.parse;
import static org.jamesproxy.inspection.TestSteps.all;
import static org.jamesproxy.inspection.TestSteps.mailet;
import static org.jamesproxy.inspection.TestSteps.matcher;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.transport.matchers.HasHeader;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.GenericMatcher;
import org.apache.mailet.base.MatcherInverter;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class ProxyActionTest {
    private static final class DestroyRecordingMailet extends GenericMailet {
        private final List<String> destroyed;

        private DestroyRecordingMailet(List<String> destroyed) {
            this.destroyed = destroyed;
        }

        @Override
        public void service(Mail mail) {
        }

        @Override
        public void destroy() {
            destroyed.add("mailet");
        }
    }

    private static final class DestroyRecordingMatcher extends GenericMatcher {
        private final List<String> destroyed;

        private DestroyRecordingMatcher(List<String> destroyed) {
            this.destroyed = destroyed;
        }

        @Override
        public Collection<MailAddress> match(Mail mail) {
            return mail.getRecipients();
        }

        @Override
        public void destroy() {
            destroyed.add("matcher");
        }
    }

    @Test
    void emptyShouldHaveANameAndNoStep() {
        ProxyAction action = ProxyAction.empty("IMAP-Server.Standard");

        assertThat(action.getName()).isEqualTo("IMAP-Server.Standard");
        assertThat(action.getSteps()).isEmpty();
        assertThat(action.isEmpty()).isTrue();
    }

    @Test
    void ofShouldRejectABlankName() {
        assertThatThrownBy(() -> ProxyAction.of(" ", ImmutableList.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofShouldKeepTheStepsInOrderAndBeImmutable() throws Exception {
        ProxyAction.Step first = ProxyAction.Step.matching(all(), mailet(new TestSteps.CountingMailet(), "First"));
        ProxyAction.Step second = ProxyAction.Step.matching(all(), mailet(new TestSteps.CountingMailet(), "Second"));
        List<ProxyAction.Step> steps = new ArrayList<>(List.of(first, second));

        ProxyAction action = ProxyAction.of("a", steps);
        steps.clear();

        assertThat(action.getSteps()).containsExactly(first, second);
    }

    @Test
    void equalsShouldCompareNameAndSteps() throws Exception {
        ProxyAction.Step step = ProxyAction.Step.matching(all(), mailet(new TestSteps.CountingMailet(), "M"));

        assertThat(ProxyAction.of("a", List.of(step))).isEqualTo(ProxyAction.of("a", List.of(step)));
        assertThat(ProxyAction.of("a", List.of(step))).isNotEqualTo(ProxyAction.of("b", List.of(step)));
        assertThat(ProxyAction.empty("a")).isNotEqualTo(ProxyAction.of("a", List.of(step)));
    }

    @Test
    void notMatchingStepShouldInvertItsMatcher() throws Exception {
        Matcher hasHeader = matcher(new HasHeader(), "HasHeader", "X-Secret");
        ProxyAction.Step step = ProxyAction.Step.notMatching(hasHeader, mailet(new TestSteps.CountingMailet(), "M"));
        FakeMail withHeader = FakeMail.builder()
            .name("m")
            .recipient("bob@example.com")
            .mimeMessage(parse(SIMPLE))
            .build();

        assertThat(step.getMatcher()).isSameAs(hasHeader);
        assertThat(step.effectiveMatcher()).isInstanceOf(MatcherInverter.class);
        assertThat(step.effectiveMatcher().match(withHeader)).isNullOrEmpty();
    }

    @Test
    void stepNamesShouldShowTheConfiguredMatcherAndMailet() throws Exception {
        Mailet mailet = mailet(new TestSteps.CountingMailet(), "Counting");
        Matcher hasHeader = matcher(new HasHeader(), "HasHeader", "X-Secret");

        assertThat(ProxyAction.Step.matching(hasHeader, mailet).toString()).isEqualTo("HasHeader=X-Secret -> Counting");
        assertThat(ProxyAction.Step.notMatching(hasHeader, mailet).matcherName()).isEqualTo("!HasHeader=X-Secret");
    }

    @Test
    void destroyShouldDestroyEachSharedInstanceOnce() {
        List<String> destroyed = new ArrayList<>();
        Matcher shared = new DestroyRecordingMatcher(destroyed);

        ProxyAction.of("a", List.of(
                ProxyAction.Step.matching(shared, new DestroyRecordingMailet(destroyed)),
                ProxyAction.Step.matching(shared, new DestroyRecordingMailet(destroyed))))
            .destroy();

        assertThat(destroyed).containsExactly("matcher", "mailet", "mailet");
    }
}
