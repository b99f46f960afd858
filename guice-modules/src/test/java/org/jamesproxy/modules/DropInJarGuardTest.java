package org.jamesproxy.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropInJarGuardTest {
    @TempDir
    Path dir;

    @Test
    void jarWithOnlyPluginClassesShouldPass() throws IOException {
        Path jar = jar("clean.jar", "META-INF/MANIFEST.MF", "org/jamesproxy/modules/MailProxyModule.class",
            "org/jamesproxy/shaded/io/netty/Relocated.class", "io/netty/");

        assertThatCode(() -> DropInJarGuard.check(jar)).doesNotThrowAnyException();
    }

    @Test
    void jarBundlingNettyAndGuavaShouldFailNamingThePackagesAndTheDropInJar() throws IOException {
        Path jar = jar("fat.jar", "org/jamesproxy/modules/MailProxyModule.class",
            "io/netty/channel/Channel.class", "io/netty/channel/ChannelHandler.class",
            "com/google/common/collect/ImmutableList.class", "META-INF/versions/11/org/slf4j/Logger.class");

        assertThatThrownBy(() -> DropInJarGuard.check(jar))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(jar.toString())
            .hasMessageContaining("(com.google.common.collect, io.netty.channel, org.slf4j)")
            .hasMessageContaining("-dropin.jar");
    }

    @Test
    void messageShouldListAtMostTenPackagesAndCountTheRest() throws IOException {
        String[] entries = new String[13];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = String.format("io/netty/p%02d/C.class", i);
        }
        Path jar = jar("many.jar", entries);

        assertThatThrownBy(() -> DropInJarGuard.check(jar))
            .hasMessageContaining("io.netty.p09")
            .hasMessageNotContaining("io.netty.p10")
            .hasMessageContaining(" and 3 more)");
    }

    @Test
    void classLoadedFromADirectoryShouldNotBeChecked() {
        // In this test JVM the class comes from target/classes: not a deployment, nothing to check.
        assertThat(DropInJarGuardTest.class.getProtectionDomain().getCodeSource().getLocation().getPath()).endsWith("/");
        assertThatCode(() -> DropInJarGuard.checkLoadedFrom(MailProxyModule.class)).doesNotThrowAnyException();
    }

    @Test
    void unreadableJarShouldFailWithItsPath() throws IOException {
        Path notAJar = Files.writeString(dir.resolve("broken.jar"), "not a zip");

        assertThatThrownBy(() -> DropInJarGuard.check(notAJar)).hasMessageContaining(notAJar.toString());
    }

    private Path jar(String name, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String entry : entries) {
                zip.putNextEntry(new ZipEntry(entry));
                if (!entry.endsWith("/")) {
                    zip.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
                }
                zip.closeEntry();
            }
        }
        return jar;
    }
}
