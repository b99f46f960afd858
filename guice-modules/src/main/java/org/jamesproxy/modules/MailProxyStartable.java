package org.jamesproxy.modules;

import javax.inject.Inject;

import org.apache.james.utils.UserDefinedStartable;

/**
 * Entry point of the drop-in jar, listed as {@code guice.extension.startable}: James calls {@link #start()} once
 * its own services are up. Stopping James stops the proxy through {@link MailProxyService}'s {@code @PreDestroy}.
 */
public class MailProxyStartable implements UserDefinedStartable {
    private final MailProxyService service;

    @Inject
    public MailProxyStartable(MailProxyService service) {
        this.service = service;
    }

    @Override
    public void start() {
        service.start();
    }
}
