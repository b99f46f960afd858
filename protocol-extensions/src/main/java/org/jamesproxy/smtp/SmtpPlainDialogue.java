package org.jamesproxy.smtp;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.jamesproxy.relay.PlainDialogue;

/** SMTP before STARTTLS, spoken by the proxy on an sni-routed STARTTLS port; and SMTP's way to an upstream's STARTTLS. */
final class SmtpPlainDialogue implements PlainDialogue {
    private final String helloName;

    SmtpPlainDialogue(String helloName) {
        this.helloName = helloName;
    }

    @Override
    public String greeting() {
        return "220 " + helloName + " ESMTP james-mail-proxy ready, STARTTLS first";
    }

    @Override
    public Answer answer(String line) {
        switch (line.split(" ", 2)[0].toUpperCase(Locale.US)) {
            case "EHLO":
                return Answer.reply("250-" + helloName, "250 STARTTLS");
            case "HELO":
                return Answer.reply("250 " + helloName);
            case "NOOP":
            case "RSET":
                return Answer.reply("250 2.0.0 OK");
            case "QUIT":
                return Answer.close("221 2.0.0 Bye");
            case "STARTTLS":
                return Answer.startTls("220 2.0.0 Ready to start TLS");
            default:
                return Answer.reply("530 5.7.0 Must issue a STARTTLS command first: the mail server is chosen"
                    + " by the name your TLS handshake asks for");
        }
    }

    @Override
    public String farewell(String reason) {
        return "421 4.7.0 " + reason;
    }

    @Override
    public List<Step> upstreamUpgrade() {
        return List.of(
            new Step(null, reply("220")),
            new Step("EHLO " + helloName, reply("250")),
            new Step("STARTTLS", reply("220")));
    }

    /** Multi-line SMTP replies: "250-..." continues, "250 ..." ends. */
    private static Function<String, Judgement> reply(String code) {
        return line -> {
            if (line.length() >= 4 && line.charAt(3) == '-') {
                return line.startsWith(code) ? Judgement.MORE : Judgement.FAILED;
            }
            return line.startsWith(code) ? Judgement.DONE : Judgement.FAILED;
        };
    }
}
