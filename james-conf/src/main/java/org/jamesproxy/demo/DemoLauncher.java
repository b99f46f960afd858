package org.jamesproxy.demo;

import java.io.InputStream;
import java.io.PrintStream;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.jamesproxy.tls.pki.CertificateAuthority;
import org.jamesproxy.tls.pki.IssuedCertificate;
import org.jamesproxy.tls.pki.PemFiles;
import org.jamesproxy.tls.pki.Pkcs12KeyStores;
import org.jamesproxy.tls.pki.ServerCertificateRequest;

/**
 * Runs Apache James 3.8.1 (memory) with the james-mail-proxy plugin in front of James's own IMAP, for trying the proxy
 * with real clients on one machine.
 *
 * <pre>
 *   mvn -q install -DskipTests && mvn -q -pl james-conf exec:java                 # demo-work/ at the project root
 *   mvn -q -pl james-conf exec:java -Ddemo.dir=/tmp/demo                           # elsewhere
 *   java -cp ... org.jamesproxy.demo.DemoLauncher [directory]                      # directory, else -Ddemo.dir, else ./demo-work
 * </pre>
 *
 * <p>What it does, in order:</p>
 * <ol>
 *   <li>creates the demo directory; the demo CA ({@code ca.p12}, {@code ca.pem}) is created on the first start and reused
 *   afterwards, so a client that trusts {@code ca.pem} keeps trusting the demo; likewise the Proxy Authority
 *   ({@code proxy-authority.p12}, {@code proxy-authority.pem}), named by {@code <proxyAuthority>} in mailproxy.xml;</li>
 *   <li>issues two server certificates for {@code localhost} and {@code 127.0.0.1} on the first start, kept in
 *   {@code james-server.p12} and {@code proxy-server.p12} and reused afterwards: James's own (the upstream) and the
 *   proxy's;</li>
 *   <li>writes a {@link JamesHome} in {@code <dir>/james} with the plugin enabled through {@code conf/extensions.properties}
 *   (same route as production; the plugin classes come from this module's classpath instead of extensions-jars/) and one
 *   proxy per protocol in {@code conf/mailproxy.xml}: IMAP 127.0.0.1:10143 (plain + STARTTLS) / 10993 (implicit TLS)
 *   toward James's IMAPS 11994, POP3 10110 / 10995 toward James's POP3S 11996, SMTP submission 10587 (STARTTLS) / 10465
 *   toward James's SMTP 10026 with STARTTLS, all over verified TLS and opened with a PROXY v2 header: those James
 *   listeners have {@code proxyRequired}, so James sees the real client, and SMTP relays only after AUTH; the proxy
 *   actions are the predefined standard ones (the header {@value #SECRET_HEADER} is stripped, and so is the
 *   {@value #EXE_NAME} attachment of alice's UID 3 when read over IMAP or POP3);</li>
 *   <li>starts {@code MemoryJamesServerMain.createServer(...)} on that home (file-based conf); creates
 *   {@code alice@demo.local} and {@code bob@demo.local}, password {@code secret}; stores a few messages (alice's UID 2
 *   carries the header the proxy removes) and delivers one more through James's own SMTP (127.0.0.1:10025);</li>
 *   <li>prints ports, users and ready-to-paste curl/openssl commands, and runs until Ctrl-C (a shutdown hook stops James).</li>
 * </ol>
 *
 * <p>Every listener binds to 127.0.0.1 only. Ports are fixed (see the constants); if one is taken, James's boot fails
 * and the launcher says so. James keeps mail in memory: a restart starts from an empty mailbox (and re-delivers the demo
 * messages). Logs: {@code <dir>/james/logs/james.log}; the console shows warnings only.</p>
 */
public final class DemoLauncher {
    public static final String DOMAIN = "demo.local";
    public static final List<String> USERS = List.of("alice@" + DOMAIN, "bob@" + DOMAIN);
    public static final String PASSWORD = "secret";

    public static final int PROXY_IMAP_PORT = 10143;
    public static final int PROXY_IMAPS_PORT = 10993;
    public static final int PROXY_POP3_PORT = 10110;
    public static final int PROXY_POP3S_PORT = 10995;
    public static final int PROXY_SUBMISSION_PORT = 10587;
    public static final int PROXY_SMTPS_PORT = 10465;
    public static final int JAMES_IMAP_PORT = 11143;
    public static final int JAMES_IMAPS_PORT = 11993;
    public static final int JAMES_SMTP_PORT = 10025;
    public static final int JAMES_POP3_PORT = 11110;
    public static final int JAMES_POP3S_PORT = 11995;
    /** James's listeners behind the proxy (proxyRequired: the proxy's PROXY v2 header names the real client). */
    public static final int JAMES_SMTP_BEHIND_PROXY_PORT = 10026;
    public static final int JAMES_IMAPS_BEHIND_PROXY_PORT = 11994;
    public static final int JAMES_POP3S_BEHIND_PROXY_PORT = 11996;
    public static final String SECRET_HEADER = "X-Internal-Secret";

    private static final String LOOPBACK = "127.0.0.1";
    /**
     * The plugin's predefined standard actions, as an admin would start: IMAP and POP3 strip internal headers
     * ({@value #SECRET_HEADER} among them) and executable attachments; SMTP submission strips the internal headers.
     */
    private static final ProxyAction IMAP_STANDARD = ProxyAction.predefined("IMAP-Server.Standard");
    private static final ProxyAction POP3_STANDARD = ProxyAction.predefined("POP3-Server.Standard");
    private static final ProxyAction SMTP_STANDARD = ProxyAction.predefined("SMTP-Outgoing.Standard");
    private static final char[] CA_PASSWORD = "demo".toCharArray();
    static final String PROXY_AUTHORITY_STORE = "proxy-authority.p12";
    static final String PROXY_AUTHORITY_PEM = "proxy-authority.pem";
    static final String PROXY_AUTHORITY_ALIAS = "proxy-authority";
    static final String JAMES_CERTIFICATE_STORE = "james-server.p12";
    static final String PROXY_CERTIFICATE_STORE = "proxy-server.p12";
    private static final String SERVER_ALIAS = "server";
    /** The demo's attachment that the standard IMAP/POP3 actions strip. */
    static final String EXE_NAME = "invoice.exe";

    private DemoLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args.length > 0 ? args[0] : System.getProperty("demo.dir", "demo-work"))
            .toAbsolutePath().normalize();
        PrintStream out = System.out;

        CertificateAuthority ca = demoCa(directory);
        demoProxyAuthority(directory);
        JamesHome home = writeHome(directory, ca);

        // Before the first logger exists: James logs through the home's logback.xml; boot errors are reported here.
        System.setProperty("logback.configurationFile", home.logbackConfiguration().toString());
        System.setProperty("james.exit.on.startup.error", "false");

        out.println("Starting Apache James 3.8.1 + james-mail-proxy in " + home.root() + " ...");
        DemoServer server = DemoServer.start(home);
        if (server == null) {
            out.println();
            out.println("James did not start. Is another demo running, or is one of the ports "
                + List.of(PROXY_IMAP_PORT, PROXY_IMAPS_PORT, JAMES_IMAP_PORT, JAMES_IMAPS_PORT, JAMES_SMTP_PORT,
                JAMES_POP3_PORT, JAMES_POP3S_PORT) + " in use? Details: " + home.logFile());
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "demo-shutdown"));

        server.addUsers(USERS, PASSWORD);
        deliverDemoMessages(server);

        printBanner(out, directory, home);
        stopped.await();
    }

    private static CertificateAuthority demoCa(Path directory) throws Exception {
        Path caStore = directory.resolve("ca.p12");
        if (Files.exists(caStore)) {
            return CertificateAuthority.load(caStore, "ca", CA_PASSWORD);
        }
        Files.createDirectories(directory);
        CertificateAuthority ca = CertificateAuthority.create("CN=james-mail-proxy demo CA,O=james-mail-proxy demo");
        Pkcs12KeyStores.write(ca.asIssuedCertificate(), caStore, "ca", CA_PASSWORD);
        PemFiles.writeCertificate(ca.certificate(), directory.resolve("ca.pem"));
        return ca;
    }

    /**
     * The Proxy Authority: the CA the Client (outbound) proxy action mints per-host certificates with, which users'
     * devices must trust. Created on the first start like the demo CA, and kept: {@code proxy-authority.p12} (key and
     * certificate, alias {@value #PROXY_AUTHORITY_ALIAS}, password "demo") and {@code proxy-authority.pem} (the
     * certificate to install on devices). A separate CA from the demo CA, as in production: the Proxy Server
     * certificate and the Proxy Authority are two different things.
     */
    static CertificateAuthority demoProxyAuthority(Path directory) throws Exception {
        Path store = directory.resolve(PROXY_AUTHORITY_STORE);
        if (Files.exists(store)) {
            CertificateAuthority authority = CertificateAuthority.load(store, PROXY_AUTHORITY_ALIAS, CA_PASSWORD);
            PemFiles.writeCertificate(authority.certificate(), directory.resolve(PROXY_AUTHORITY_PEM));
            return authority;
        }
        Files.createDirectories(directory);
        CertificateAuthority authority = CertificateAuthority.create("CN=james-mail-proxy demo Proxy Authority,O=james-mail-proxy demo");
        Pkcs12KeyStores.write(authority.asIssuedCertificate(), store, PROXY_AUTHORITY_ALIAS, CA_PASSWORD);
        PemFiles.writeCertificate(authority.certificate(), directory.resolve(PROXY_AUTHORITY_PEM));
        return authority;
    }

    private static JamesHome writeHome(Path directory, CertificateAuthority ca) throws Exception {
        // ca.pem is rewritten from the loaded CA too, in case someone deleted it.
        PemFiles.writeCertificate(ca.certificate(), directory.resolve("ca.pem"));
        IssuedCertificate jamesCertificate = serverCertificate(directory.resolve(JAMES_CERTIFICATE_STORE), ca);
        IssuedCertificate proxyCertificate = serverCertificate(directory.resolve(PROXY_CERTIFICATE_STORE), ca);
        return JamesHome.builder(directory.resolve("james"))
            .proxyAuthority(directory.resolve(PROXY_AUTHORITY_STORE), PROXY_AUTHORITY_ALIAS, new String(CA_PASSWORD))
            .ports(JamesPorts.builder()
                .imap(JAMES_IMAP_PORT).imaps(JAMES_IMAPS_PORT)
                .smtp(JAMES_SMTP_PORT)
                .pop3(JAMES_POP3_PORT).pop3s(JAMES_POP3S_PORT)
                .smtpBehindProxy(JAMES_SMTP_BEHIND_PROXY_PORT)
                .imapsBehindProxy(JAMES_IMAPS_BEHIND_PROXY_PORT)
                .pop3sBehindProxy(JAMES_POP3S_BEHIND_PROXY_PORT)
                .build())
            .bindAddress(LOOPBACK)
            .serverCertificate(jamesCertificate)
            .defaultDomain(DOMAIN)
            .domain(DOMAIN)
            .proxy(ProxySettings.imap("demo")
                .tlsSupport("enabled")
                .bind(LOOPBACK + ":" + PROXY_IMAP_PORT)
                .tlsBind(LOOPBACK + ":" + PROXY_IMAPS_PORT)
                .proxyCertificate(proxyCertificate)
                .upstream(LOOPBACK, JAMES_IMAPS_BEHIND_PROXY_PORT, "implicit")
                .upstreamProxyProtocol("v2")
                .upstreamTrust(ca.certificate())
                .expectedHostName("localhost")
                .proxyAction(IMAP_STANDARD)
                .build())
            .proxy(ProxySettings.pop3("demo-pop3")
                .bind(LOOPBACK + ":" + PROXY_POP3_PORT)
                .tlsBind(LOOPBACK + ":" + PROXY_POP3S_PORT)
                .proxyCertificate(proxyCertificate)
                .upstream(LOOPBACK, JAMES_POP3S_BEHIND_PROXY_PORT, "implicit")
                .upstreamProxyProtocol("v2")
                .upstreamTrust(ca.certificate())
                .expectedHostName("localhost")
                // James 3.8.1 greets with an APOP challenge but refuses APOP: do not offer it to clients.
                .extraXml("<offerApop>false</offerApop>")
                .proxyAction(POP3_STANDARD)
                .build())
            .proxy(ProxySettings.smtp("demo-submission")
                .bind(LOOPBACK + ":" + PROXY_SUBMISSION_PORT)
                .tlsBind(LOOPBACK + ":" + PROXY_SMTPS_PORT)
                .proxyCertificate(proxyCertificate)
                .upstream(LOOPBACK, JAMES_SMTP_BEHIND_PROXY_PORT, "starttls")
                .upstreamProxyProtocol("v2")
                .upstreamTrust(ca.certificate())
                .expectedHostName("localhost")
                .proxyAction(SMTP_STANDARD)
                .build())
            .write();
    }

    /**
     * The server certificate kept in {@code store} from an earlier start, or a new one from the demo CA when there is
     * none, it was issued by another CA, or it expires within a day: a restart keeps what clients have seen.
     */
    static IssuedCertificate serverCertificate(Path store, CertificateAuthority ca) throws Exception {
        if (Files.exists(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, CA_PASSWORD);
            }
            if (keyStore.isKeyEntry(SERVER_ALIAS)) {
                PrivateKey key = (PrivateKey) keyStore.getKey(SERVER_ALIAS, CA_PASSWORD);
                List<X509Certificate> chain = Arrays.stream(keyStore.getCertificateChain(SERVER_ALIAS))
                    .map(X509Certificate.class::cast)
                    .toList();
                X509Certificate leaf = chain.get(0);
                boolean fromThisCa = leaf.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal());
                boolean validTomorrow = leaf.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)));
                if (fromThisCa && validTomorrow) {
                    return new IssuedCertificate(new KeyPair(leaf.getPublicKey(), key), chain);
                }
            }
        }
        IssuedCertificate issued = ca.issue(localhost());
        Pkcs12KeyStores.write(issued, store, SERVER_ALIAS, CA_PASSWORD);
        return issued;
    }

    private static ServerCertificateRequest localhost() {
        return ServerCertificateRequest.forNames("localhost").ipAddress(LOOPBACK).build();
    }

    /**
     * alice's INBOX: UID 1 welcome, UID 2 with {@value #SECRET_HEADER} (appended through a probe, so UIDs are fixed),
     * UID 3 delivered by James's SMTP and mailet pipeline. bob: one message.
     */
    private static void deliverDemoMessages(DemoServer server) throws Exception {
        String alice = USERS.get(0);
        String bob = USERS.get(1);
        server.appendToInbox(alice, rfc5322(bob, alice, "Welcome to the james-mail-proxy demo", null,
            "Hi Alice,\r\n\r\nthis message is stored in James; you are reading it through the proxy on port "
                + PROXY_IMAPS_PORT + " (or " + PROXY_IMAP_PORT + " with STARTTLS).\r\n"));
        server.appendToInbox(alice, rfc5322(bob, alice, "A message with an internal header", "do-not-leak-42",
            "This message carries " + SECRET_HEADER + ". James's own IMAPS (" + JAMES_IMAPS_PORT + ") shows it; "
                + "the proxy's action removes it.\r\n"));
        server.appendToInbox(alice, withExecutable(bob, alice));
        server.appendToInbox(bob, rfc5322(alice, bob, "Hello Bob", null, "Bob's mailbox is not empty either.\r\n"));
        sendBySmtp(bob, alice, "Delivered through James's SMTP", "James's SMTP server and mailet container delivered this one.\n");
    }

    /** UID 3: an invoice with an executable attachment ("MZ" header), which the standard action replaces by a text part. */
    private static String withExecutable(String from, String to) {
        String exe = Base64.getMimeEncoder().encodeToString(new byte[]{'M', 'Z', (byte) 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0,
            (byte) 0xFF, (byte) 0xFF, 0, 0});
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: Your invoice\r\n"
            + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()) + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@" + DOMAIN + ">\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"demo-boundary\"\r\n"
            + "\r\n"
            + "--demo-boundary\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "Please find the invoice attached.\r\n"
            + "--demo-boundary\r\n"
            + "Content-Type: application/octet-stream; name=\"" + EXE_NAME + "\"\r\n"
            + "Content-Disposition: attachment; filename=\"" + EXE_NAME + "\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + exe + "\r\n"
            + "--demo-boundary--\r\n";
    }

    private static String rfc5322(String from, String to, String subject, String secret, String body) {
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Date: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now()) + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@" + DOMAIN + ">\r\n"
            + (secret == null ? "" : SECRET_HEADER + ": " + secret + "\r\n")
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n"
            + "\r\n"
            + body;
    }

    private static void sendBySmtp(String from, String to, String subject, String body) throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", LOOPBACK);
        properties.put("mail.smtp.port", Integer.toString(JAMES_SMTP_PORT));
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress(from));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        message.setSubject(subject);
        message.setText(body);
        Transport.send(message);
    }

    private static void printBanner(PrintStream out, Path directory, JamesHome home) {
        Path caPem = directory.resolve("ca.pem");
        String alice = USERS.get(0);
        out.println();
        out.println("================================================================================================");
        out.println(" james-mail-proxy demo: Apache James 3.8.1 (memory) with the plugin loaded via conf/extensions.properties");
        out.println("================================================================================================");
        out.println(" Demo directory : " + directory);
        out.println(" James home     : " + home.root() + "   (conf/mailproxy.xml, logs at " + home.logFile() + ")");
        out.println(" Demo CA        : " + caPem);
        out.println(" Proxy Authority: " + directory.resolve(PROXY_AUTHORITY_PEM) + "   (key: " + directory.resolve(PROXY_AUTHORITY_STORE)
            + ", alias " + PROXY_AUTHORITY_ALIAS + ", password demo; <proxyAuthority> in conf/mailproxy.xml)");
        out.println("                  devices trust this CA to accept the certificates the Client proxy action mints per host");
        out.println(" Users          : " + String.join(", ", USERS) + "   password: " + PASSWORD);
        out.println();
        out.println(" Proxy (connect your client here), certificate for localhost + 127.0.0.1, issued by the demo CA:");
        out.println("   IMAP  + STARTTLS  " + LOOPBACK + ":" + PROXY_IMAP_PORT + "   (LOGIN only after STARTTLS)");
        out.println("   IMAPS             " + LOOPBACK + ":" + PROXY_IMAPS_PORT);
        out.println("   POP3  + STLS      " + LOOPBACK + ":" + PROXY_POP3_PORT + "   POP3S " + LOOPBACK + ":" + PROXY_POP3S_PORT);
        out.println("   SMTP submission   " + LOOPBACK + ":" + PROXY_SUBMISSION_PORT + " (STARTTLS)   SMTPS " + LOOPBACK + ":"
            + PROXY_SMTPS_PORT + "   (standard actions: " + SECRET_HEADER + " stripped on every protocol, executable"
            + " attachments when read over IMAP/POP3)");
        out.println(" James's own listeners (all on " + LOOPBACK + "):");
        out.println("   IMAP+STARTTLS " + JAMES_IMAP_PORT + "   IMAPS " + JAMES_IMAPS_PORT + "   SMTP+STARTTLS "
            + JAMES_SMTP_PORT + "   POP3+STLS " + JAMES_POP3_PORT + "   POP3S " + JAMES_POP3S_PORT);
        out.println("   behind the proxy (its upstreams: verified TLS, PROXY v2 header, so James sees your address and SMTP"
            + " relays only after AUTH): SMTP " + JAMES_SMTP_BEHIND_PROXY_PORT + "   IMAPS " + JAMES_IMAPS_BEHIND_PROXY_PORT
            + "   POP3S " + JAMES_POP3S_BEHIND_PROXY_PORT);
        out.println();
        out.println(" Try it:");
        out.println("   curl --cacert " + caPem + " imaps://" + LOOPBACK + ":" + PROXY_IMAPS_PORT + "/INBOX -u " + alice + ":" + PASSWORD);
        out.println("   curl --cacert " + caPem + " 'imaps://" + LOOPBACK + ":" + PROXY_IMAPS_PORT + "/INBOX;UID=2' -u " + alice + ":" + PASSWORD
            + "    # " + SECRET_HEADER + " removed by the proxy");
        out.println("   curl --cacert " + caPem + " 'imaps://" + LOOPBACK + ":" + JAMES_IMAPS_PORT + "/INBOX;UID=2' -u " + alice + ":" + PASSWORD
            + "    # the same message, straight from James");
        out.println("   curl --cacert " + caPem + " 'imaps://" + LOOPBACK + ":" + PROXY_IMAPS_PORT + "/INBOX;UID=3' -u " + alice + ":" + PASSWORD
            + "    # " + EXE_NAME + " stripped: the part is " + EXE_NAME + ".txt saying why");
        out.println("   curl --cacert " + caPem + " 'imaps://" + LOOPBACK + ":" + JAMES_IMAPS_PORT + "/INBOX;UID=3' -u " + alice + ":" + PASSWORD
            + "    # the same message with the executable, straight from James");
        out.println("   curl --cacert " + caPem + " --ssl-reqd imap://" + LOOPBACK + ":" + PROXY_IMAP_PORT + "/INBOX -u " + alice + ":" + PASSWORD
            + "    # STARTTLS");
        out.println("   openssl s_client -starttls imap -connect " + LOOPBACK + ":" + PROXY_IMAP_PORT + " -CAfile " + caPem
            + " -verify_hostname localhost");
        out.println("   openssl s_client -connect " + LOOPBACK + ":" + PROXY_IMAPS_PORT + " -CAfile " + caPem + " -verify_ip " + LOOPBACK);
        out.println("   printf 'Subject: hi\\r\\n" + SECRET_HEADER + ": 42\\r\\n\\r\\nhello\\r\\n' | curl --ssl-reqd --cacert " + caPem
            + " smtp://" + LOOPBACK + ":" + PROXY_SUBMISSION_PORT + " -u bob@" + DOMAIN + ":" + PASSWORD + " --mail-from bob@"
            + DOMAIN + " --mail-rcpt " + alice + " -T -    # send through the SMTP proxy (AUTH through it to James)");
        out.println("   curl --cacert " + caPem + " pop3s://" + LOOPBACK + ":" + PROXY_POP3S_PORT + "/1 -u " + alice + ":" + PASSWORD
            + "    # POP3 RETR through the proxy");
        out.println();
        out.println(" Ctrl-C stops James.");
        out.println("================================================================================================");
        out.flush();
    }
}
