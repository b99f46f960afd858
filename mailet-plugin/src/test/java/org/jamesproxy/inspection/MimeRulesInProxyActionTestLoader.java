package org.jamesproxy.inspection;

import javax.mail.MessagingException;

import org.apache.james.mailetcontainer.api.MailetLoader;
import org.apache.james.mailetcontainer.api.MatcherLoader;
import org.apache.mailet.Mailet;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.Matcher;
import org.apache.mailet.MatcherConfig;

/** Instantiates by class name and initialises, as James's Guice loaders do. */
final class MimeRulesInProxyActionTestLoader implements MailetLoader, MatcherLoader {
    @Override
    public Mailet getMailet(MailetConfig config) throws MessagingException {
        Mailet mailet = (Mailet) instantiate(config.getMailetName());
        mailet.init(config);
        return mailet;
    }

    @Override
    public Matcher getMatcher(MatcherConfig config) throws MessagingException {
        Matcher matcher = (Matcher) instantiate("org.apache.james.transport.matchers." + config.getMatcherName());
        matcher.init(config);
        return matcher;
    }

    private static Object instantiate(String className) throws MessagingException {
        try {
            return Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new MessagingException("Can not load " + className, e);
        }
    }
}
