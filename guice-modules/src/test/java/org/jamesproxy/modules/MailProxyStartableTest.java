package org.jamesproxy.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.spi.Elements;

class MailProxyStartableTest {
    @Test
    void startableWithoutTheModuleShouldSaySoAndShowTheTwoLines() {
        // What James's loader does when only guice.extension.startable made it into extensions.properties.
        MailProxyStartable startable = Guice.createInjector().createChildInjector().getInstance(MailProxyStartable.class);

        assertThatThrownBy(startable::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("MailProxyStartable is listed but MailProxyModule is not")
            .hasMessageContaining("guice.extension.module=org.jamesproxy.modules.MailProxyModule")
            .hasMessageContaining("guice.extension.startable=org.jamesproxy.modules.MailProxyStartable");
    }

    @Test
    void theModuleShouldBindWhatTheStartableLooksFor() {
        // Without James's services the injector cannot be built: read the module's bindings instead.
        assertThat(Elements.getElements(new MailProxyModule()))
            .anySatisfy(element -> assertThat(element).isInstanceOfSatisfying(Binding.class,
                binding -> assertThat(binding.getKey()).isEqualTo(Key.get(MailProxyService.class))));
        // James's loader must build the startable in the module's injector, where the service is bound.
        assertThat(Elements.getElements(new MailProxyModule()))
            .anySatisfy(element -> assertThat(element).isInstanceOfSatisfying(Binding.class,
                binding -> assertThat(binding.getKey()).isEqualTo(Key.get(MailProxyStartable.class))));
    }
}
