package org.jamesproxy.smtp;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jamesproxy.config.SmtpPolicy;

/**
 * The command handlers of one policy, by verb. Built once at boot: handlers keep no per-connection state (that is
 * the session's, reached through {@link SmtpConversation}).
 */
final class SmtpCommands {
    private final Map<String, SmtpCommandHandler> byVerb;
    private final AuthCommand auth = new AuthCommand();

    SmtpCommands(SmtpPolicy policy) {
        // The EHLO answer lists, in this order, what each handler advertises (SIZE first).
        List<SmtpCommandHandler> advertisers = List.of(new MailCommand(EnvelopeRule.mailFrom(policy)),
            new RcptCommand(EnvelopeRule.rcptTo(policy)), new DataCommand(), new HeloCommand(), auth, new StartTlsCommand(),
            new SimpleCommands.Reset(), new SimpleCommands.Relayed(), new SimpleCommands.Quit(), new SimpleCommands.NotAvailable());
        EhloCommand ehlo = new EhloCommand(advertisers);
        this.byVerb = Stream.concat(Stream.of(ehlo), advertisers.stream())
            .flatMap(handler -> handler.verbs().stream().map(verb -> Map.entry(verb, handler)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** @param verb upper case */
    Optional<SmtpCommandHandler> forVerb(String verb) {
        return Optional.ofNullable(byVerb.get(verb));
    }

    /** AUTH, which also takes the client's responses to its challenges. */
    AuthCommand auth() {
        return auth;
    }
}
