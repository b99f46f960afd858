package org.jamesproxy.it.conf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.jamesproxy.demo.JamesHome;
import org.jamesproxy.it.support.EndToEndTest;
import org.jamesproxy.it.support.FreePorts;
import org.jamesproxy.it.support.ProxiedJames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A misspelled element stops James's boot (drop-in route, extensions.properties) with the path and the suggestion. */
@EndToEndTest
class StrictBootTest {
    @Test
    void misspelledElementShouldStopTheBootWithTheNearestName(@TempDir Path root) {
        ProxiedJames james = new ProxiedJames();
        JamesHome home = james.home(root)
            .proxy(james.proxyToJames("typo", FreePorts.next(), FreePorts.next())
                .extraXml("<tlsSuport>required</tlsSuport>")
                .build())
            .write();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration());
        try {
            assertThatThrownBy(server::start)
                .hasStackTraceContaining("Invalid conf/mailproxy.xml: unknown element mailproxy.imapproxy.tlsSuport, did you mean tlsSupport?");
        } finally {
            server.stop();
        }
    }
}
