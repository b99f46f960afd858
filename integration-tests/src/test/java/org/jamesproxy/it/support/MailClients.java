package org.jamesproxy.it.support;

import java.util.Properties;

import javax.mail.Session;
import javax.net.ssl.SSLContext;

/** javax.mail sessions as a careful mail client configures them: verified TLS, host name checked. */
public final class MailClients {
    private MailClients() {
    }

    public static Session imaps(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.imaps.host", host);
        properties.put("mail.imaps.port", String.valueOf(port));
        properties.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.imaps.ssl.checkserveridentity", "true");
        properties.put("mail.imaps.connectiontimeout", "10000");
        properties.put("mail.imaps.timeout", "30000");
        // Whole-message fetches (BODY.PEEK[]) rather than 16 KB chunks: chunked partial fetches follow the
        // policy's partialFetch rule, not the proxy action.
        properties.put("mail.imaps.partialfetch", "false");
        return Session.getInstance(properties);
    }

    public static Session imapStartTls(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.imap.host", host);
        properties.put("mail.imap.port", String.valueOf(port));
        properties.put("mail.imap.starttls.enable", "true");
        properties.put("mail.imap.starttls.required", "true");
        properties.put("mail.imap.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.imap.ssl.checkserveridentity", "true");
        properties.put("mail.imap.connectiontimeout", "10000");
        properties.put("mail.imap.timeout", "30000");
        properties.put("mail.imap.partialfetch", "false");
        return Session.getInstance(properties);
    }
}
