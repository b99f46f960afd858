package org.jamesproxy.mailet.action;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryPath;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;

/**
 * Stores the original of a quarantined message in a James {@link MailRepository}, once per message: the key is
 * remembered in the mail attribute {@value #KEY_ATTRIBUTE_NAME}, so a second rule quarantining the same message
 * reuses it. The stored copy is the message as it reached the first quarantining rule (put quarantine rules before
 * rules that only strip if the copy must be byte-identical to what arrived).
 * <p>
 * The repository is given by parameter {@value #PARAMETER}: either a full URL ({@code memory://var/mail/quarantine/},
 * {@code cassandra://var/mail/quarantine/}) or a path without protocol, resolved with the server's default protocol
 * (mailrepositorystore.xml {@code defaultProtocol}, else its first repository). The default,
 * {@value #DEFAULT_PATH}, therefore works on the memory and the distributed server alike.
 * <p>
 * Recovery by an admin, with James's WebAdmin (the path URL-encoded, the key being the recovery id):
 * <pre>
 * # list / download the original as .eml
 * curl http://127.0.0.1:8000/mailRepositories/var%2Fmail%2Fquarantine/mails
 * curl -H 'Accept: message/rfc822' http://127.0.0.1:8000/mailRepositories/var%2Fmail%2Fquarantine/mails/RECOVERY_ID &gt; original.eml
 * # re-inject it into James's mail processing (SMTP-received mail; delivers it past the proxy's inspection)
 * curl -XPATCH 'http://127.0.0.1:8000/mailRepositories/var%2Fmail%2Fquarantine/mails/RECOVERY_ID?action=reprocess&amp;queue=spool&amp;processor=transport'
 * # delete it
 * curl -XDELETE http://127.0.0.1:8000/mailRepositories/var%2Fmail%2Fquarantine/mails/RECOVERY_ID
 * </pre>
 */
final class Quarantine {
    static final String PARAMETER = "quarantineRepository";
    static final String DEFAULT_PATH = "var/mail/quarantine";
    static final String KEY_ATTRIBUTE_NAME = "org.jamesproxy.quarantine.key";
    static final AttributeName KEY_ATTRIBUTE = AttributeName.of(KEY_ATTRIBUTE_NAME);

    private final String repository;

    private Quarantine(String repository) {
        this.repository = repository;
    }

    /** @throws IllegalArgumentException naming the parameter when the value is not a repository URL or path */
    static Quarantine parse(String mailetName, Optional<String> value) {
        String repository = value.map(String::trim).filter(v -> !v.isEmpty()).orElse(DEFAULT_PATH);
        try {
            if (repository.contains("://")) {
                MailRepositoryUrl.from(repository);
            } else {
                MailRepositoryPath.from(repository);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(mailetName + ": invalid value '" + repository + "' for parameter '" + PARAMETER
                + "': expected a mail repository URL such as memory://var/mail/quarantine/ or a path such as var/mail/quarantine", e);
        }
        return new Quarantine(repository);
    }

    String describe() {
        return repository;
    }

    /** @return the recovery id (the MailKey in the repository) */
    String store(Mail mail, Optional<MailRepositoryStore> store) throws MessagingException {
        Optional<String> known = mail.getAttribute(KEY_ATTRIBUTE).map(attribute -> String.valueOf(attribute.getValue().value()));
        if (known.isPresent()) {
            return known.get();
        }
        MailRepository target = select(store.orElseThrow(() -> new MessagingException(
            "quarantine needs James's MailRepositoryStore, which was not injected into this mailet")));
        MailImpl copy = MailImpl.builder()
            .name("quarantine-" + UUID.randomUUID())
            .sender(mail.getMaybeSender())
            .addRecipients(ImmutableList.copyOf(mail.getRecipients()))
            .remoteAddr(Optional.ofNullable(mail.getRemoteAddr()).orElse("127.0.0.1"))
            .remoteHost(Optional.ofNullable(mail.getRemoteHost()).orElse("localhost"))
            .addAttributes(mail.attributes().collect(ImmutableList.toImmutableList()))
            .mimeMessage(copyOf(mail.getMessage()))
            .build();
        try {
            MailKey key = target.store(copy);
            mail.setAttribute(new Attribute(KEY_ATTRIBUTE, AttributeValue.of(key.asString())));
            return key.asString();
        } finally {
            copy.dispose();
        }
    }

    private MailRepository select(MailRepositoryStore store) throws MessagingException {
        try {
            MailRepositoryUrl url = repository.contains("://")
                ? MailRepositoryUrl.from(repository)
                : MailRepositoryUrl.fromPathAndProtocol(store.defaultProtocol()
                        .orElseThrow(() -> new MessagingException("no default mail repository protocol: give " + PARAMETER + " as a full URL")),
                    MailRepositoryPath.from(repository));
            return store.select(url);
        } catch (MailRepositoryStore.MailRepositoryStoreException e) {
            throw new MessagingException("cannot open the quarantine repository " + repository + ": " + e.getMessage(), e);
        }
    }

    /** A detached copy, so that stripping the live message does not touch what was stored. */
    private static MimeMessage copyOf(MimeMessage message) throws MessagingException {
        String[] messageId = message.getHeader("Message-ID");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            message.writeTo(bytes);
        } catch (IOException e) {
            throw new MessagingException("cannot copy the message to quarantine", e);
        }
        // A plain MimeMessage saves itself (new Message-ID) when written unsaved: keep the original one.
        if (messageId != null) {
            message.setHeader("Message-ID", messageId[0]);
        }
        return new MimeMessage(null, new ByteArrayInputStream(bytes.toByteArray()));
    }
}
