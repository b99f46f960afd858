package org.jamesproxy.inspection;

import java.io.InputStream;

import javax.mail.MessagingException;

import org.apache.james.server.core.MailHeaders;

/**
 * James's {@link MailHeaders} without the placeholder entries that javax.mail's no-argument constructor seeds for
 * well-known names (Return-Path, Date, Subject, MIME-Version...). Those placeholders sit before every parsed line, so
 * {@code setHeader("MIME-Version", "1.0")} (run by every {@code saveChanges()}) fills the placeholder and deletes the
 * real line, moving the field to the top: a gratuitous change to the bytes a proxy forwards. Without them,
 * {@code setHeader} replaces a field in place, {@code addHeader} appends after the last field of that name (trace fields
 * Received/Return-Path still go first).
 */
final class OrderPreservingHeaders extends MailHeaders {
    private static final long serialVersionUID = 1L;

    OrderPreservingHeaders(InputStream in) throws MessagingException {
        super();
        headers.clear();
        load(in);
    }
}
