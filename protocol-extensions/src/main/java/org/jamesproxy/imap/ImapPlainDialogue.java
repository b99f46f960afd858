package org.jamesproxy.imap;

import java.util.List;
import java.util.Locale;

import org.jamesproxy.relay.PlainDialogue;

/** IMAP before STARTTLS, spoken by the proxy on an sni-routed STARTTLS port; and IMAP's way to an upstream's STARTTLS. */
final class ImapPlainDialogue implements PlainDialogue {
    private static final String CAPABILITIES = "IMAP4rev1 STARTTLS LOGINDISABLED";

    private final String helloName;

    ImapPlainDialogue(String helloName) {
        this.helloName = helloName;
    }

    @Override
    public String greeting() {
        return "* OK [CAPABILITY " + CAPABILITIES + "] " + helloName + " IMAP4rev1 proxy ready, STARTTLS first";
    }

    @Override
    public Answer answer(String line) {
        String[] words = line.split(" ", 3);
        if (words.length < 2) {
            return Answer.reply("* BAD Missing command");
        }
        String tag = words[0];
        switch (words[1].toUpperCase(Locale.US)) {
            case "CAPABILITY":
                return Answer.reply("* CAPABILITY " + CAPABILITIES, tag + " OK CAPABILITY completed");
            case "NOOP":
                return Answer.reply(tag + " OK NOOP completed");
            case "LOGOUT":
                return Answer.close("* BYE Logging out", tag + " OK LOGOUT completed");
            case "STARTTLS":
                return Answer.startTls(tag + " OK Begin TLS negotiation now");
            default:
                return Answer.reply(tag + " NO [PRIVACYREQUIRED] STARTTLS first: the mail server is chosen by the"
                    + " name your TLS handshake asks for");
        }
    }

    @Override
    public String farewell(String reason) {
        return "* BYE " + reason;
    }

    @Override
    public List<Step> upstreamUpgrade() {
        return List.of(
            new Step(null, line -> line.startsWith("* OK") ? Judgement.DONE : Judgement.FAILED),
            new Step("p1 STARTTLS", line -> line.startsWith("p1 OK") ? Judgement.DONE
                : line.startsWith("p1 ") || line.startsWith("* BYE") ? Judgement.FAILED : Judgement.MORE));
    }
}
