package org.jamesproxy.it.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Optional;

import javax.mail.Folder;
import javax.mail.Message;
import javax.mail.Session;
import javax.mail.Store;

/** A mailbox read straight from James's own IMAPS (no proxy in between), to check what was delivered. */
public final class JamesInbox {
    private final ProxiedJames james;
    private final String user;
    private final String password;

    public JamesInbox(ProxiedJames james, String user, String password) {
        this.james = james;
        this.user = user;
        this.password = password;
    }

    /** The raw message with that subject, if delivered. */
    public Optional<String> delivered(String subject) throws Exception {
        Session direct = MailClients.imaps("localhost", james.jamesImaps, james.clientSslContext());
        try (Store store = direct.getStore("imaps")) {
            store.connect(user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                for (Message message : inbox.getMessages()) {
                    if (subject.equals(message.getSubject())) {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        message.writeTo(out);
                        return Optional.of(out.toString(UTF_8));
                    }
                }
                return Optional.empty();
            } finally {
                inbox.close(false);
            }
        }
    }

    /** The raw message with that subject, once delivered (at most 30 s). */
    public String awaitDelivered(String subject) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> delivered(subject), Optional::isPresent).get();
    }
}
