package org.jamesproxy.mailet.action;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import com.google.common.collect.ImmutableSet;

/**
 * Base of every inspection rule mailet (content types, filenames, headers, antivirus, spam): a subclass only says
 * what it finds; what is done about it (strip, quarantine, deny, drop, block, deny message, alarms) is the same for
 * every rule and lives in {@link FindingsExecutor}. Works the same in a proxy action and in James's own
 * {@code mailetcontainer.xml}: both run {@link #service(Mail)}.
 * <p>
 * James creates mailets through Guice (mailetcontainer.xml and proxy actions alike), which calls
 * {@link #setMailRepositoryStore} for quarantine. A rule created with {@code new} (unit tests) has no store unless the
 * test sets one; quarantine findings then fail. The common parameters are listed in {@link FindingsExecutor}.
 */
public abstract class InspectionRuleMailet extends GenericMailet {
    private FindingsExecutor executor;
    private Optional<MailRepositoryStore> repositoryStore = Optional.empty();
    private Clock clock = Clock.systemDefaultZone();

    /** Where {@code quarantine} stores originals; injected by James. */
    @Inject
    public void setMailRepositoryStore(MailRepositoryStore repositoryStore) {
        this.repositoryStore = Optional.of(repositoryStore);
    }

    /** For tests of alarm rate limits and notice dates; call before {@code init}. */
    public void setClock(Clock clock) {
        this.clock = clock;
    }

    @Override
    public final void init() throws MessagingException {
        checkInitParameters(ImmutableSet.<String>builder()
            .addAll(FindingsExecutor.PARAMETERS)
            .addAll(ruleParameters())
            .build());
        initRule();
        executor = FindingsExecutor.fromConfig(getMailetConfig(), repositoryStore, clock);
    }

    @Override
    public final void service(Mail mail) throws MessagingException {
        List<Finding> findings = inspect(mail);
        if (!findings.isEmpty()) {
            executor.apply(mail, findings, unscannableAction());
        }
    }

    /**
     * {@link #findings(Mail)}, with the one rule every inspection follows: content that makes a parser throw (javax.mail's
     * {@code ParseException}, {@code MessagingException}, a runtime exception from a decoder) is hostile or broken MIME,
     * so it becomes an {@code UNSCANNABLE} finding with {@link #unscannableAction()} and the exception as the reason,
     * never an exception that leaves the verdict to chance ({@code onError}).
     */
    public final List<Finding> inspect(Mail mail) {
        try {
            return findings(mail);
        } catch (MessagingException | RuntimeException e) {
            return List.of(UnscannableFindings.fromException(getMailetName(), unscannableAction(), e));
        }
    }

    /**
     * What to do with a message this rule cannot read: {@code deny} unless the rule has its own parameter for it
     * ({@code onUnscannable}, {@code onOversize}). Also applies when a part to strip cannot be rewritten.
     */
    protected RuleAction unscannableAction() {
        return RuleAction.DENY;
    }

    /** The parameters this rule reads, besides the common ones of {@link FindingsExecutor#PARAMETERS}. */
    protected abstract Set<String> ruleParameters();

    /** Parse this rule's parameters; throw a {@link javax.mail.MessagingException} naming the parameter if invalid. */
    protected abstract void initRule() throws MessagingException;

    /**
     * What this rule finds in the mail, each with its action. A rule may record what it saw (status headers such as
     * {@code X-Virus-Status}, a subject tag, attributes for James's matchers) but never acts on its findings itself:
     * stripping, quarantine and verdicts are the executor's, so every rule behaves the same.
     */
    protected abstract List<Finding> findings(Mail mail) throws MessagingException;
}
