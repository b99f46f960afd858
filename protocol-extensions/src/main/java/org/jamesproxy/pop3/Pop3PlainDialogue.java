package org.jamesproxy.pop3;

import java.util.List;
import java.util.Locale;

import org.jamesproxy.relay.PlainDialogue;

/** POP3 before STLS, spoken by the proxy on an sni-routed STLS port; and POP3's way to an upstream's STLS. */
final class Pop3PlainDialogue implements PlainDialogue {
    private final String helloName;

    Pop3PlainDialogue(String helloName) {
        this.helloName = helloName;
    }

    @Override
    public String greeting() {
        return "+OK " + helloName + " POP3 proxy ready, STLS first";
    }

    @Override
    public Answer answer(String line) {
        switch (line.split(" ", 2)[0].toUpperCase(Locale.US)) {
            case "CAPA":
                return Answer.reply("+OK Capability list follows", "STLS", ".");
            case "NOOP":
                return Answer.reply("+OK");
            case "QUIT":
                return Answer.close("+OK Bye");
            case "STLS":
                return Answer.startTls("+OK Begin TLS negotiation");
            default:
                return Answer.reply("-ERR [SYS/PERM] STLS first: the mail server is chosen by the name your TLS"
                    + " handshake asks for");
        }
    }

    @Override
    public String farewell(String reason) {
        return "-ERR " + reason;
    }

    @Override
    public List<Step> upstreamUpgrade() {
        return List.of(
            new Step(null, line -> line.startsWith("+OK") ? Judgement.DONE : Judgement.FAILED),
            new Step("STLS", line -> line.startsWith("+OK") ? Judgement.DONE : Judgement.FAILED));
    }
}
