package org.jamesproxy.demo;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.core.Username;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.modules.MailboxProbeImpl;
import org.apache.james.utils.DataProbeImpl;

/**
 * James on a {@link JamesHome}, in this JVM: {@code MemoryJamesServerMain.createServer} with the home's file-based
 * configuration, plus the {@code FakeSearchMailboxModule} that {@code MemoryJamesServerMain.main} also adds (JMX, which
 * main adds too, is left out). The plugin, if the home enables it, is loaded by James from
 * {@code conf/extensions.properties}, not combined here.
 *
 * <p>Kept apart from {@link DemoLauncher} so that no James class (and so no logger) is initialised before the launcher
 * has pointed logback at the home's configuration.</p>
 */
final class DemoServer {
    /** Starts James; returns null when the boot failed (the cause is in the home's log). */
    static DemoServer start(JamesHome home) {
        GuiceJamesServer server = MemoryJamesServerMain.createServer(home.memoryConfiguration())
            .combineWith(new FakeSearchMailboxModule());
        try {
            server.start();
            return new DemoServer(server);
        } catch (Throwable e) {
            System.err.println("James failed to start: " + e);
            server.stop();
            return null;
        }
    }

    private final GuiceJamesServer server;

    private DemoServer(GuiceJamesServer server) {
        this.server = server;
    }

    void addUsers(List<String> users, String password) throws Exception {
        DataProbeImpl probe = server.getProbe(DataProbeImpl.class);
        for (String user : users) {
            probe.addUser(user, password);
        }
    }

    /** Creates the user's INBOX if needed and appends a raw RFC 5322 message to it; the UID order is the call order. */
    void appendToInbox(String user, String rfc5322) throws Exception {
        MailboxProbeImpl probe = server.getProbe(MailboxProbeImpl.class);
        MailboxPath inbox = MailboxPath.inbox(Username.of(user));
        if (!probe.listUserMailboxes(user).contains(inbox.getName())) {
            probe.createMailbox(inbox);
        }
        probe.appendMessage(user, inbox, new ByteArrayInputStream(rfc5322.getBytes(StandardCharsets.UTF_8)), new Date(),
            false, new Flags());
    }

    void stop() {
        server.stop();
    }
}
