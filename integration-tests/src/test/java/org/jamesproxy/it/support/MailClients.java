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
        // javax.mail's defaults otherwise: 16 KiB partial fetches, answered from the inspected message.
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
        return Session.getInstance(properties);
    }

    /** SMTP submission with STARTTLS required: javax.mail refuses to continue in clear. */
    public static Session smtpStartTls(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", host);
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.starttls.enable", "true");
        properties.put("mail.smtp.starttls.required", "true");
        properties.put("mail.smtp.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.smtp.ssl.checkserveridentity", "true");
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "30000");
        properties.put("mail.smtp.localhost", "client.test");
        return Session.getInstance(properties);
    }

    public static Session smtps(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.smtps.host", host);
        properties.put("mail.smtps.port", String.valueOf(port));
        properties.put("mail.smtps.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.smtps.ssl.checkserveridentity", "true");
        properties.put("mail.smtps.connectiontimeout", "10000");
        properties.put("mail.smtps.timeout", "30000");
        properties.put("mail.smtps.localhost", "client.test");
        return Session.getInstance(properties);
    }

    public static Session pop3s(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.pop3s.host", host);
        properties.put("mail.pop3s.port", String.valueOf(port));
        properties.put("mail.pop3s.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.pop3s.ssl.checkserveridentity", "true");
        properties.put("mail.pop3s.connectiontimeout", "10000");
        properties.put("mail.pop3s.timeout", "30000");
        return Session.getInstance(properties);
    }

    public static Session pop3StartTls(String host, int port, SSLContext trust) {
        Properties properties = new Properties();
        properties.put("mail.pop3.host", host);
        properties.put("mail.pop3.port", String.valueOf(port));
        properties.put("mail.pop3.starttls.enable", "true");
        properties.put("mail.pop3.starttls.required", "true");
        properties.put("mail.pop3.ssl.socketFactory", trust.getSocketFactory());
        properties.put("mail.pop3.ssl.checkserveridentity", "true");
        properties.put("mail.pop3.connectiontimeout", "10000");
        properties.put("mail.pop3.timeout", "30000");
        return Session.getInstance(properties);
    }
}
