package org.jamesproxy.modules;

import org.jamesproxy.policy.ClientBlocker;
import org.jamesproxy.policy.LoggingClientBlocker;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

/**
 * The plugin's Guice module, listed as {@code guice.extension.module} in conf/extensions.properties. James loads
 * it into a child injector, so it only binds our own classes (no multibinder contributions: those would break
 * James's boot); the listeners are started by {@link MailProxyStartable}.
 */
public class MailProxyModule extends AbstractModule {
    @Override
    protected void configure() {
        // First thing James runs of ours: a jar that bundles James's own libraries fails the boot here, clearly.
        DropInJarGuard.checkLoadedFrom(MailProxyModule.class);
        bind(MailProxyService.class).in(Scopes.SINGLETON);
        // Bound here, so James's loader builds it in this (child) injector; without this module it is built in
        // James's own injector, where it finds no MailProxyService binding and says which line is missing.
        bind(MailProxyStartable.class);
        // Likewise for the WebAdmin routes, which James loads from webadmin.properties' extensions.routes.
        bind(org.jamesproxy.modules.webadmin.MailProxyRoutes.class);
        // block verdicts: log and count until the auto-block list of the policy work replaces this binding
        bind(ClientBlocker.class).to(LoggingClientBlocker.class).in(Scopes.SINGLETON);
    }
}
