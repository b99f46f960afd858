package org.jamesproxy.modules;

import javax.inject.Inject;

import org.apache.james.utils.UserDefinedStartable;

import com.google.inject.Injector;
import com.google.inject.Key;

/**
 * Entry point of the drop-in jar, listed as {@code guice.extension.startable}: James calls {@link #start()} once
 * its own services are up. Stopping James stops the proxy through {@link MailProxyService}'s {@code @PreDestroy}.
 */
public class MailProxyStartable implements UserDefinedStartable {
    static final String MODULE_MISSING = "MailProxyStartable is listed but MailProxyModule is not: conf/extensions.properties"
        + " needs both lines, each on its own line:\n"
        + "  guice.extension.module=" + MailProxyModule.class.getName() + "\n"
        + "  guice.extension.startable=" + MailProxyStartable.class.getName() + "\n"
        + "(a line appended to a file that does not end with a newline is glued to its last line and lost)";

    private final Injector injector;

    /**
     * The injector, not the service: without our module, Guice's own error would only name an unbound interface.
     * It is the module's child injector because {@link MailProxyModule} binds this class.
     */
    @Inject
    public MailProxyStartable(Injector injector) {
        this.injector = injector;
    }

    @Override
    public void start() {
        if (injector.getExistingBinding(Key.get(MailProxyService.class)) == null) {
            throw new IllegalStateException(MODULE_MISSING);
        }
        injector.getInstance(MailProxyService.class).start();
    }
}
