package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scripted IMAP server for relay tests: plain java sockets on 127.0.0.1 (random port), one thread per connection.
 * It speaks just enough IMAP to exercise a proxy (greeting, CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE PLAIN, SELECT,
 * FETCH of BODY[] / sections / partials, APPEND with both literal kinds, IDLE, NOOP, LOGOUT), records every line and
 * literal it receives, counts its open connections, and can misbehave on request (STARTTLS injection, refusals,
 * bad certificates, held responses).
 */
public final class FakeImapUpstream extends FakeLineServer {
    public enum StartTlsAnswer {
        OK, NO, BAD
    }

    public static final String DEFAULT_CAPABILITIES = "IMAP4rev1 STARTTLS LITERAL+ SASL-IR IDLE MOVE AUTH=PLAIN";
    public static final String DEFAULT_TLS_CAPABILITIES = "IMAP4rev1 LITERAL+ SASL-IR IDLE MOVE AUTH=PLAIN";
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)}$");
    private static final Pattern FETCH = Pattern.compile("^(\\d+) \\(?(BODY(?:\\.PEEK)?\\[([^\\]]*)](?:<(\\d+)\\.(\\d+)>)?|RFC822)\\)?$",
        Pattern.CASE_INSENSITIVE);

    private static final Pattern FETCH_LIST = Pattern.compile("^(\\d+) \\((.+)\\)$");
    private static final Pattern BODY_ITEM = Pattern.compile("^BODY(\\.PEEK)?\\[([^\\]]*)](?:<(\\d+)\\.(\\d+)>)?$");

    /** Starts a server whose connections are plain TCP at first (for upstream tls none or starttls). */
    public static FakeImapUpstream start() throws IOException {
        return new FakeImapUpstream(plainServerSocket(), false);
    }

    /** Starts a server that does TLS from the first byte with {@code context}'s certificate. */
    public static FakeImapUpstream startImplicitTls(SSLContext context) throws IOException {
        FakeImapUpstream upstream = new FakeImapUpstream(implicitTlsServerSocket(context), true);
        upstream.tlsContext = context;
        return upstream;
    }

    private final List<byte[]> literals = new CopyOnWriteArrayList<>();
    private final Map<Integer, byte[]> messages = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> gates = new ConcurrentHashMap<>();

    private volatile String greeting = "* OK [CAPABILITY " + DEFAULT_CAPABILITIES + "] Fake IMAP ready";
    private volatile String capabilities = DEFAULT_CAPABILITIES;
    private volatile String tlsCapabilities = DEFAULT_TLS_CAPABILITIES;
    private volatile String loginCapabilityCode = "[CAPABILITY IMAP4rev1 IDLE MOVE]";
    private volatile StartTlsAnswer startTlsAnswer = StartTlsAnswer.OK;
    private volatile String startTlsInjection = "";
    private volatile boolean rejectAppend;
    private volatile long uidValidity = 1;
    private volatile int expungeAfterListFetch = -1;
    private final Map<Integer, String> untaggedAfterBody = new ConcurrentHashMap<>();

    private FakeImapUpstream(ServerSocket serverSocket, boolean implicitTls) {
        super(serverSocket, implicitTls, "imap");
        startAccepting();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Script

    public FakeImapUpstream greeting(String greeting) {
        this.greeting = greeting;
        return this;
    }

    /** The CAPABILITY answer in clear (and of an implicit-TLS server). */
    public FakeImapUpstream capabilities(String capabilities) {
        this.capabilities = capabilities;
        return this;
    }

    /** The CAPABILITY answer once STARTTLS completed. */
    public FakeImapUpstream tlsCapabilities(String capabilities) {
        this.tlsCapabilities = capabilities;
        return this;
    }

    /** The response code of a successful LOGIN/AUTHENTICATE, e.g. "[CAPABILITY IMAP4rev1 COMPRESS=DEFLATE]" or "". */
    public FakeImapUpstream loginCapabilityCode(String code) {
        this.loginCapabilityCode = code;
        return this;
    }

    public FakeImapUpstream startTlsAnswer(StartTlsAnswer answer) {
        this.startTlsAnswer = answer;
        return this;
    }

    /** Bytes appended to the STARTTLS go-ahead, in the same write: the upstream-side injection. */
    public FakeImapUpstream startTlsInjection(String bytes) {
        this.startTlsInjection = bytes;
        return this;
    }

    /** The certificate presented after STARTTLS. */
    public FakeImapUpstream startTlsContext(SSLContext context) {
        this.tlsContext = context;
        return this;
    }

    /** APPEND answers its synchronizing literal with a tagged NO instead of "+". */
    public FakeImapUpstream rejectAppend(boolean reject) {
        this.rejectAppend = reject;
        return this;
    }

    /** The message is expunged (by "another session") right after the next FETCH of an item list answers it. */
    public FakeImapUpstream expungeAfterListFetch(int number) {
        expungeAfterListFetch = number;
        return this;
    }

    /** The UIDVALIDITY SELECT and EXAMINE report from now on (default 1). */
    public FakeImapUpstream uidValidity(long value) {
        this.uidValidity = value;
        return this;
    }

    public FakeImapUpstream message(int number, byte[] content) {
        messages.put(number, content);
        return this;
    }

    /** Holds the answer to every {@code command} (e.g. "NOOP") until {@link #release(String)}. */
    public FakeImapUpstream hold(String command) {
        gates.put(command.toUpperCase(Locale.US), new Semaphore(0));
        return this;
    }

    public void release(String command) {
        gates.get(command.toUpperCase(Locale.US)).release(1000);
    }

    /** Lets one held {@code command} be answered; the next is held again. */
    public void releaseOne(String command) {
        gates.get(command.toUpperCase(Locale.US)).release(1);
    }

    /** Right after the next response carrying message {@code number}'s body, the upstream sends {@code untagged}. */
    public FakeImapUpstream untaggedAfterBodyOf(int number, String untagged) {
        untaggedAfterBody.put(number, untagged);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Observations

    /** The command names received (second word of every command line, upper case, after the tag). */
    public boolean receivedCommand(String name) {
        return receivedLines().stream().anyMatch(line -> {
            String[] words = line.split(" ");
            return words.length > 1 && words[1].equalsIgnoreCase(name);
        });
    }

    public List<byte[]> receivedLiterals() {
        return List.copyOf(literals);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Server

    @Override
    protected void converse(Socket socket) throws IOException, InterruptedException {
        new Connection(socket).run();
    }

    private final class Connection {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean tls;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.tls = implicitTls;
        }

        void run() throws IOException, InterruptedException {
            write(greeting + "\r\n");
            if (!greeting.toUpperCase(Locale.US).startsWith("* OK")) {
                if (greeting.toUpperCase(Locale.US).startsWith("* BYE")) {
                    return;
                }
            }
            while (true) {
                String line = readLine();
                if (line == null) {
                    return;
                }
                if (!handle(line)) {
                    return;
                }
            }
        }

        /** @return false to end the connection */
        private boolean handle(String line) throws IOException, InterruptedException {
            String[] words = line.split(" ", 3);
            if (words.length < 2) {
                write("* BAD missing command\r\n");
                return true;
            }
            String tag = words[0];
            String command = words[1].toUpperCase(Locale.US);
            String arguments = words.length > 2 ? words[2] : "";
            uidCommand = command.equals("UID") && !arguments.isEmpty();
            if (uidCommand) {
                String[] rest = arguments.split(" ", 2);
                command = rest[0].toUpperCase(Locale.US);
                arguments = rest.length > 1 ? rest[1] : "";
            }
            Optional<String> fullArguments = readLiterals(tag, command, arguments);
            if (fullArguments.isEmpty()) {
                return true;
            }
            arguments = fullArguments.get();
            Semaphore gate = gates.get(command);
            if (gate != null && !gate.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("held " + command + " never released");
            }
            switch (command) {
                case "CAPABILITY":
                    write("* CAPABILITY " + (tls && !implicitTls ? tlsCapabilities : capabilities) + "\r\n"
                        + tag + " OK CAPABILITY completed\r\n");
                    return true;
                case "STARTTLS":
                    return startTls(tag);
                case "LOGIN":
                    write(tag + " OK " + code(loginCapabilityCode) + "LOGIN completed\r\n");
                    return true;
                case "AUTHENTICATE":
                    return authenticate(tag, arguments);
                case "SELECT":
                case "EXAMINE":
                    write("* " + messages.size() + " EXISTS\r\n* FLAGS (\\Seen \\Deleted)\r\n"
                        + "* OK [UIDVALIDITY " + uidValidity + "] UIDs valid\r\n" + tag + " OK [READ-WRITE] " + command + " completed\r\n");
                    return true;
                case "FETCH":
                    fetch(tag, arguments);
                    return true;
                case "APPEND":
                    write(tag + " OK [APPENDUID 1 " + literals.size() + "] APPEND completed\r\n");
                    return true;
                case "IDLE":
                    write("+ idling\r\n");
                    String done = readLine();
                    if (done == null) {
                        return false;
                    }
                    write(done.equalsIgnoreCase("DONE") ? tag + " OK IDLE terminated\r\n" : tag + " BAD expected DONE\r\n");
                    return true;
                case "ID":
                    // RFC 2971: the server's own identification, then OK (Dovecot's answer to a proxy's ID).
                    write("* ID (\"name\" \"fake-imap\")\r\n" + tag + " OK ID completed\r\n");
                    return true;
                case "NOOP":
                    write(tag + " OK NOOP completed\r\n");
                    return true;
                case "STORE":
                    // "n +FLAGS (\Seen)": the flags of this fake are always (\Seen).
                    write("* " + arguments.split(" ", 2)[0] + " FETCH (FLAGS (\\Seen))\r\n" + tag + " OK STORE completed\r\n");
                    return true;
                case "LOGOUT":
                    write("* BYE logging out\r\n" + tag + " OK LOGOUT completed\r\n");
                    return false;
                default:
                    write(tag + " BAD unknown command " + command + "\r\n");
                    return true;
            }
        }

        private String code(String code) {
            return code.isEmpty() ? "" : code + " ";
        }

        /** Reads the literals of a command; empty if the command was refused at a synchronizing literal. */
        private Optional<String> readLiterals(String tag, String command, String arguments) throws IOException {
            StringBuilder full = new StringBuilder(arguments);
            String current = arguments;
            while (true) {
                Matcher literal = LITERAL.matcher(current);
                if (!literal.find()) {
                    return Optional.of(full.toString());
                }
                int size = Integer.parseInt(literal.group(1));
                boolean synchronizing = literal.group(2).isEmpty();
                if (synchronizing) {
                    if (rejectAppend && command.equals("APPEND")) {
                        write(tag + " NO [TRYCREATE] Mailbox does not exist\r\n");
                        return Optional.empty();
                    }
                    write("+ Ready for literal data\r\n");
                }
                byte[] data = readBytes(size);
                literals.add(data);
                String next = readLine();
                if (next == null) {
                    throw new EOFException("end of stream inside a command");
                }
                full.append("<literal ").append(size).append(">").append(next);
                current = next;
            }
        }

        private boolean startTls(String tag) throws IOException {
            switch (startTlsAnswer) {
                case NO:
                    write(tag + " NO STARTTLS refused\r\n");
                    return true;
                case BAD:
                    write(tag + " BAD STARTTLS unknown\r\n");
                    return true;
                default:
                    break;
            }
            write(tag + " OK Begin TLS negotiation now\r\n" + startTlsInjection);
            SSLSocket ssl = upgradeToTls(socket);
            socket = ssl;
            in = new BufferedInputStream(ssl.getInputStream());
            out = ssl.getOutputStream();
            tls = true;
            return true;
        }

        private boolean authenticate(String tag, String arguments) throws IOException {
            String[] parts = arguments.split(" ", 2);
            if (!parts[0].equalsIgnoreCase("PLAIN")) {
                write(tag + " NO unsupported mechanism\r\n");
                return true;
            }
            if (parts.length < 2) {
                write("+ \r\n");
                String response = readLine();
                if (response == null) {
                    return false;
                }
                if (response.equals("*")) {
                    write(tag + " BAD AUTHENTICATE cancelled\r\n");
                    return true;
                }
            }
            write(tag + " OK " + code(loginCapabilityCode) + "AUTHENTICATE completed\r\n");
            return true;
        }

        private void fetch(String tag, String arguments) throws IOException {
            String trimmed = arguments.trim();
            int space = trimmed.indexOf(' ');
            String set = space < 0 ? "" : trimmed.substring(0, space);
            if (set.contains(",") || set.contains(":")) {
                // A set (the message number is the UID here): the responses of each message, then one completion.
                for (String range : set.split(",")) {
                    String[] bounds = range.split(":", 2);
                    int low = Integer.parseInt(bounds[0]);
                    int high = bounds.length > 1 ? (bounds[1].equals("*") ? Integer.MAX_VALUE : Integer.parseInt(bounds[1])) : low;
                    for (int number : new java.util.TreeSet<>(messages.keySet())) {
                        if (number >= low && number <= high) {
                            fetchOne(null, number + trimmed.substring(space));
                        }
                    }
                }
                write(tag + " OK FETCH completed\r\n");
                return;
            }
            fetchOne(tag, arguments);
        }

        /** @param tag null inside a set: no completion */
        /** The command being answered is a UID command: its FETCH responses carry UID first, as servers send it. */
        private boolean uidCommand;

        private void fetchOne(String tag, String arguments) throws IOException {
            Matcher request = FETCH.matcher(arguments.trim());
            Matcher list = FETCH_LIST.matcher(arguments.trim());
            if (!request.matches() && list.matches()) {
                fetchList(tag, Integer.parseInt(list.group(1)), list.group(2));
                return;
            }
            if (!request.matches()) {
                write(tag + " BAD unsupported FETCH in the fake: " + arguments + "\r\n");
                return;
            }
            int number = Integer.parseInt(request.group(1));
            byte[] message = messages.get(number);
            if (message == null) {
                write(tag + " NO no such message\r\n");
                return;
            }
            String item = request.group(2).toUpperCase(Locale.US);
            byte[] value;
            String name;
            if (item.equals("RFC822")) {
                name = "RFC822";
                value = message;
            } else {
                String section = request.group(3).toUpperCase(Locale.US);
                value = section(message, section);
                name = "BODY[" + section + "]";
                if (request.group(4) != null) {
                    int origin = Integer.parseInt(request.group(4));
                    int length = Integer.parseInt(request.group(5));
                    int from = Math.min(origin, value.length);
                    value = Arrays.copyOfRange(value, from, Math.min(value.length, from + length));
                    name += "<" + origin + ">";
                }
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            response.writeBytes(("* " + number + " FETCH (" + (uidCommand ? "UID " + number + " " : "") + name
                + " {" + value.length + "}\r\n").getBytes(ISO_8859_1));
            response.writeBytes(value);
            response.writeBytes(" FLAGS (\\Seen))\r\n".getBytes(ISO_8859_1));
            String untagged = untaggedAfterBody.remove(number);
            if (untagged != null) {
                response.writeBytes((untagged + "\r\n").getBytes(ISO_8859_1));
            }
            response.writeBytes((tag == null ? "" : tag + " OK FETCH completed\r\n").getBytes(ISO_8859_1));
            out.write(response.toByteArray());
            out.flush();
        }

        /**
         * A parenthesised list of simple items (UID, FLAGS, RFC822.SIZE, BODY[section]&lt;o.n&gt;, BODY.PEEK[...]), as
         * a proxy that strips content items sends them; the message number is its UID. A non-PEEK body item reports
         * FLAGS (\\Seen) as a server that just set it.
         */
        private void fetchList(String tag, int number, String items) throws IOException {
            byte[] message = messages.get(number);
            if (message == null) {
                write(tag + " OK FETCH completed (no such message)\r\n");
                return;
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            response.writeBytes(("* " + number + " FETCH (").getBytes(ISO_8859_1));
            boolean seen = false;
            boolean first = true;
            for (String item : items.trim().split(" ")) {
                String upper = item.toUpperCase(Locale.US);
                if (!first) {
                    response.write(' ');
                }
                first = false;
                Matcher body = BODY_ITEM.matcher(upper);
                if (upper.equals("UID")) {
                    response.writeBytes(("UID " + number).getBytes(ISO_8859_1));
                } else if (upper.equals("FLAGS")) {
                    response.writeBytes("FLAGS (\\Seen)".getBytes(ISO_8859_1));
                } else if (upper.equals("RFC822.SIZE")) {
                    response.writeBytes(("RFC822.SIZE " + message.length).getBytes(ISO_8859_1));
                } else if (body.matches()) {
                    seen |= body.group(1) == null;
                    byte[] value = section(message, body.group(2));
                    String name = "BODY[" + body.group(2) + "]";
                    if (body.group(3) != null) {
                        int from = Math.min(Integer.parseInt(body.group(3)), value.length);
                        value = Arrays.copyOfRange(value, from, Math.min(value.length, from + Integer.parseInt(body.group(4))));
                        name += "<" + body.group(3) + ">";
                    }
                    response.writeBytes((name + " {" + value.length + "}\r\n").getBytes(ISO_8859_1));
                    response.writeBytes(value);
                } else {
                    write(tag + " BAD unsupported FETCH item in the fake: " + item + "\r\n");
                    return;
                }
            }
            if (seen && !items.toUpperCase(Locale.US).contains("FLAGS")) {
                response.writeBytes(" FLAGS (\\Seen)".getBytes(ISO_8859_1));
            }
            response.writeBytes(")\r\n".getBytes(ISO_8859_1));
            if (expungeAfterListFetch == number) {
                expungeAfterListFetch = -1;
                messages.remove(number);
                response.writeBytes(("* " + number + " EXPUNGE\r\n").getBytes(ISO_8859_1));
            }
            if (tag != null) {
                response.writeBytes((tag + " OK FETCH completed\r\n").getBytes(ISO_8859_1));
            }
            out.write(response.toByteArray());
            out.flush();
        }

        private byte[] section(byte[] message, String section) {
            int split = headerEnd(message);
            switch (section) {
                case "":
                    return message;
                case "HEADER":
                    return Arrays.copyOfRange(message, 0, split);
                case "TEXT":
                case "1":
                    return Arrays.copyOfRange(message, split, message.length);
                default:
                    return new byte[0];
            }
        }

        private int headerEnd(byte[] message) {
            for (int i = 0; i + 3 < message.length; i++) {
                if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                    return i + 4;
                }
            }
            return message.length;
        }

        private String readLine() throws IOException {
            return readRecordedLine(in);
        }

        private byte[] readBytes(int size) throws IOException {
            byte[] data = in.readNBytes(size);
            if (data.length < size) {
                throw new EOFException("end of stream inside a literal");
            }
            return data;
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(ISO_8859_1));
            out.flush();
        }
    }

    /** Lets held answers go, so that their connection threads end. */
    @Override
    protected void onClose() {
        gates.values().forEach(gate -> gate.release(1000));
    }
}
