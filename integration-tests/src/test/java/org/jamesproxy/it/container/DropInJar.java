package org.jamesproxy.it.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** The shaded drop-in jar built by guice-modules before this module (system property dropin.jar, see the pom). */
final class DropInJar {
    private DropInJar() {
    }

    static Path path() {
        String location = System.getProperty("dropin.jar");
        assertThat(location).as("system property dropin.jar (set by integration-tests/pom.xml)").isNotBlank();
        Path jar = Path.of(location);
        assertThat(jar).as("the drop-in jar; the reactor builds it with guice-modules").isRegularFile();
        return jar;
    }
}
