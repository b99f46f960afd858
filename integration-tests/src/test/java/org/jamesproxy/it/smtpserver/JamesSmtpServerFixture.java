package org.jamesproxy.it.smtpserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.james.JamesServerBuilder;
import org.apache.james.JamesServerExtension;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.ProxiedJames;

/**
 * A stock James 3.8.1 memory server with its own SMTP listener (plain + STARTTLS, the demo home's smtpserver.xml),
 * optionally with {@code StartTlsInjectionGuard} listed first in its handler chain, as an admin would list it.
 * The proxy plugin is not enabled: the guard is a James SMTP handler, loaded by James's handler loader.
 */
final class JamesSmtpServerFixture {
    static final String GUARD = "<handler class=\"org.jamesproxy.smtpserver.StartTlsInjectionGuard\"/>";
    private static final String FIRST_HANDLER = "<handler class=\"org.apache.james.smtpserver.fastfail.ValidRcptHandler\"/>";

    private JamesSmtpServerFixture() {
    }

    static JamesServerExtension james(ProxiedJames james, boolean guarded) {
        return new JamesServerBuilder<MemoryJamesConfiguration>(tmpDir -> {
            JamesHome home = james.home(tmpDir.toPath()).pluginEnabled(false).write();
            if (guarded) {
                addGuard(home.confDirectory().resolve("smtpserver.xml"));
            }
            return home.memoryConfiguration();
        })
            .server(MemoryJamesServerMain::createServer)
            .lifeCycle(JamesServerExtension.Lifecycle.PER_CLASS)
            .build();
    }

    private static void addGuard(Path smtpServerXml) {
        try {
            String xml = Files.readString(smtpServerXml);
            if (!xml.contains(FIRST_HANDLER)) {
                throw new IllegalStateException("the demo smtpserver.xml changed: no " + FIRST_HANDLER + " in " + smtpServerXml);
            }
            Files.writeString(smtpServerXml, xml.replace(FIRST_HANDLER, GUARD + FIRST_HANDLER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
