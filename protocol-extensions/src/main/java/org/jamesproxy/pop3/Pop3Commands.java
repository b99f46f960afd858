package org.jamesproxy.pop3;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jamesproxy.pop3.Pop3Decision.Answer;
import org.jamesproxy.pop3.Pop3Decision.Completion;
import org.jamesproxy.pop3.Pop3Decision.Forward;
import org.jamesproxy.pop3.Pop3Decision.Reply;

import com.google.common.collect.ImmutableMap;

/**
 * The commands the relay knows, and how each one's answer is framed. Only these are relayed: an unknown command
 * might answer multi-line, and relaying it would desynchronise the framing.
 */
final class Pop3Commands {
    private static final Map<String, Pop3CommandHandler> HANDLERS = ImmutableMap.<String, Pop3CommandHandler>builder()
        .put("STLS", Pop3Stls::handle)
        .put("CAPA", (arguments, context) -> Forward.of(Answer.CAPA))
        .put("USER", Pop3Credentials::user)
        .put("PASS", Pop3Credentials::pass)
        .put("APOP", Pop3Credentials::apop)
        .put("AUTH", Pop3Credentials::auth)
        .put("STAT", (arguments, context) -> Forward.of(Answer.SINGLE_LINE))
        .put("DELE", (arguments, context) -> Forward.of(Answer.SINGLE_LINE))
        .put("RSET", (arguments, context) -> Forward.of(Answer.SINGLE_LINE))
        .put("NOOP", (arguments, context) -> Forward.of(Answer.SINGLE_LINE))
        .put("LIST", Pop3Commands::listing)
        .put("UIDL", Pop3Commands::listing)
        .put("RETR", (arguments, context) -> Forward.of(Answer.MESSAGE))
        .put("TOP", Pop3Commands::top)
        .put("QUIT", (arguments, context) -> Forward.of(Answer.SINGLE_LINE, Completion.QUIT))
        .build();

    private static final Pattern WELL_FORMED_TOP = Pattern.compile("\\d{1,9} \\d{1,9}");

    private Pop3Commands() {
    }

    /** @param line the client's command line (its CRLF may still be there) */
    static Pop3Decision decide(String line, Pop3CommandHandler.Context context) {
        String[] words = line.trim().split(" ", 2);
        String name = words[0].toUpperCase(Locale.US);
        if (name.isEmpty()) {
            return new Reply("-ERR Empty command");
        }
        Pop3CommandHandler handler = HANDLERS.get(name);
        if (handler == null) {
            return new Reply("-ERR Command not available through this proxy");
        }
        return handler.handle(words.length > 1 ? words[1].trim() : "", context);
    }

    /** LIST and UIDL: one line for one message, a listing for the whole mailbox. */
    private static Pop3Decision listing(String arguments, Pop3CommandHandler.Context context) {
        return Forward.of(arguments.isEmpty() ? Answer.LISTING : Answer.SINGLE_LINE);
    }

    /**
     * TOP. When the policy answers partial retrievals from the inspected message ({@code partialFetch inspect}), the
     * mail server is asked for the whole message (a TOP of every line: no side effect RETR might have, such as a
     * server setting \Seen); the client gets the header and its lines of the inspected message.
     */
    private static Pop3Decision top(String arguments, Pop3CommandHandler.Context context) {
        int lines = topLines(arguments);
        if (context.inspectsPartialRetrieval() && WELL_FORMED_TOP.matcher(arguments).matches()) {
            String message = arguments.substring(0, arguments.indexOf(' '));
            return new Forward(Answer.MESSAGE, lines, Completion.NONE, Optional.of("TOP " + message + " " + Integer.MAX_VALUE));
        }
        return new Forward(Answer.MESSAGE, lines, Completion.NONE);
    }

    static int topLines(String arguments) {
        String[] words = arguments.split(" ");
        try {
            return words.length > 1 ? Math.max(0, Integer.parseInt(words[1])) : 0;
        } catch (NumberFormatException e) {
            // The mail server will refuse it; counted as a partial TOP if it does not.
            return 0;
        }
    }
}
