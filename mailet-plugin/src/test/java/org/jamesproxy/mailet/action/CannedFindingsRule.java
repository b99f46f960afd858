package org.jamesproxy.mailet.action;

import java.util.List;
import java.util.Set;

import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/** A rule that finds what the test tells it to: tests {@link FindingsExecutor} through the real mailet base. */
public final class CannedFindingsRule extends InspectionRuleMailet {
    private final List<Finding> findings;
    private int initCalls;

    public CannedFindingsRule(Finding... findings) {
        this.findings = ImmutableList.copyOf(findings);
    }

    @Override
    protected Set<String> ruleParameters() {
        return ImmutableSet.of();
    }

    @Override
    protected void initRule() {
        initCalls++;
    }

    @Override
    protected List<Finding> findings(Mail mail) {
        return findings;
    }

    int initCalls() {
        return initCalls;
    }
}
