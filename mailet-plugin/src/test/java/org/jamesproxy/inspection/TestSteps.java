package org.jamesproxy.inspection;

import java.util.Map;

import javax.mail.MessagingException;

import org.apache.james.transport.matchers.All;
import org.apache.mailet.Mail;
import org.apache.mailet.Mailet;
import org.apache.mailet.Matcher;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.apache.mailet.base.test.FakeMatcherConfig;

/** Real James matchers and mailets, initialised the way a container would, plus a few purpose-built doubles. */
final class TestSteps {
    static Matcher matcher(Matcher matcher, String name, String condition) throws MessagingException {
        matcher.init(FakeMatcherConfig.builder()
            .matcherName(name)
            .condition(condition)
            .mailetContext(FakeMailContext.defaultContext())
            .build());
        return matcher;
    }

    static Matcher all() throws MessagingException {
        return matcher(new All(), "All", null);
    }

    static Mailet mailet(Mailet mailet, String name, Map<String, String> parameters) throws MessagingException {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName(name)
            .mailetContext(FakeMailContext.defaultContext());
        parameters.forEach(config::setProperty);
        mailet.init(config.build());
        return mailet;
    }

    static Mailet mailet(Mailet mailet, String name) throws MessagingException {
        return mailet(mailet, name, Map.of());
    }

    static ProxyAction.Step always(Mailet mailet) throws MessagingException {
        return ProxyAction.Step.matching(all(), mailet);
    }

    /** Counts its calls and changes nothing. */
    static final class CountingMailet extends GenericMailet {
        private int calls = 0;

        @Override
        public void service(Mail mail) {
            calls++;
        }

        int calls() {
            return calls;
        }
    }

    /** Fails the way a broken mailet (or an unreachable scanner) does. */
    static final class FailingMailet extends GenericMailet {
        @Override
        public void service(Mail mail) throws MessagingException {
            throw new MessagingException("scanner unreachable");
        }
    }

    /** A mailet written as a lambda, for one-off behaviours. */
    interface MailAction {
        void apply(Mail mail) throws Exception;
    }

    static final class LambdaMailet extends GenericMailet {
        private final MailAction action;

        LambdaMailet(MailAction action) {
            this.action = action;
        }

        @Override
        public void service(Mail mail) throws MessagingException {
            try {
                action.apply(mail);
            } catch (MessagingException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new MessagingException("test mailet failed", e);
            }
        }
    }

    private TestSteps() {
    }
}
