package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.apache.mailet.MailetException;
import org.jamesproxy.mailet.action.RuleAction;
import org.junit.jupiter.api.Test;

class RuleListTest {
    private static RuleList parse(String rules) throws MailetException {
        return RuleList.parse("FilenameRules", "rules", rules, pattern -> Optional.empty());
    }

    @Test
    void globsAreCaseInsensitiveAndAnchored() {
        assertThat(Glob.of("*.exe").matches("SETUP.EXE")).isTrue();
        assertThat(Glob.of("*.exe").matches("setup.exe.txt")).isFalse();
        assertThat(Glob.of("invoice*.scr").matches("Invoice-2024.SCR")).isTrue();
        assertThat(Glob.of("invoice*.scr").matches("my invoice.scr")).isFalse();
        assertThat(Glob.of("a?c.js").matches("abc.js")).isTrue();
        assertThat(Glob.of("a?c.js").matches("ac.js")).isFalse();
        assertThat(Glob.of("a.(b)+[c]").matches("A.(B)+[C]")).isTrue();
        assertThat(Glob.of("application/*").matches("application/x-msdownload")).isTrue();
    }

    @Test
    void firstMatchingRuleDecides() throws Exception {
        RuleList rules = parse("*.exe = strip; safe*, *.txt = allow; * = deny");

        assertThat(rules.firstMatch("a.exe").map(RuleList.Rule::getAction)).contains(RuleAction.STRIP);
        assertThat(rules.firstMatch("safe.exe").map(RuleList.Rule::getAction)).contains(RuleAction.STRIP);
        assertThat(rules.firstMatch("safe.doc").map(RuleList.Rule::getAction)).contains(RuleAction.ALLOW);
        assertThat(rules.firstMatch("x.doc").map(RuleList.Rule::getAction)).contains(RuleAction.DENY);
    }

    @Test
    void newlinesSeparateEntriesAndLockMeansQuarantine() throws Exception {
        RuleList rules = parse("\n  *.exe = lock\n  * = allow\n");

        assertThat(rules.getRules()).hasSize(2);
        assertThat(rules.firstMatch("A.EXE").map(RuleList.Rule::getAction)).contains(RuleAction.QUARANTINE);
    }

    @Test
    void noMatchingRuleMeansNoDecision() throws Exception {
        assertThat(parse("*.exe = strip").decide(List.of("a.txt"))).isEmpty();
    }

    @Test
    void theMostSevereCandidateWins() throws Exception {
        RuleList rules = parse("*.pdf = allow; *.exe = quarantine; *.scr = strip");

        RuleList.Decision decision = rules.decide(List.of("a.pdf", "a.scr", "a.exe")).orElseThrow();

        assertThat(decision.getAction()).isEqualTo(RuleAction.QUARANTINE);
        assertThat(decision.getCandidate()).isEqualTo("a.exe");
    }

    @Test
    void errorsNameMailetParameterAndEntry() {
        assertThatThrownBy(() -> parse("*.exe = explode"))
            .isInstanceOf(MailetException.class)
            .hasMessageContaining("FilenameRules")
            .hasMessageContaining("'rules'")
            .hasMessageContaining("*.exe = explode")
            .hasMessageContaining("explode");
        assertThatThrownBy(() -> parse("*.exe strip")).hasMessageContaining("'*.exe strip'");
        assertThatThrownBy(() -> parse(" = strip")).hasMessageContaining("no pattern");
        assertThatThrownBy(() -> parse(" ; ")).hasMessageContaining("holds no rule");
    }

    @Test
    void patternCheckIsApplied() {
        assertThatThrownBy(() -> RuleList.parse("ContentTypeRules", "rules", "exe = strip",
                pattern -> pattern.contains("/") ? Optional.empty() : Optional.of("expected type/subtype")))
            .hasMessageContaining("ContentTypeRules")
            .hasMessageContaining("pattern 'exe': expected type/subtype");
    }
}
