package org.jamesproxy.imap.view;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;


import io.netty.buffer.ByteBuf;

/**
 * Writes BODYSTRUCTURE (with extension data) or BODY (without) of a parsed entity, RFC 3501 §7.4.2, including the
 * envelope and structure of an encapsulated message/rfc822.
 */
final class BodyStructureWriter {
    private final boolean extensible;
    private final MessageBytes bytes;

    BodyStructureWriter(boolean extensible, MessageBytes bytes) {
        this.extensible = extensible;
        this.bytes = bytes;
    }

    void write(MimeEntity entity, ByteBuf out) throws IOException {
        out.writeByte('(');
        if (entity.isMultipart()) {
            for (MimeEntity child : entity.children) {
                write(child, out);
            }
            out.writeByte(' ');
            ImapValues.nstring(out, upper(entity.type.subtype()));
            if (extensible) {
                out.writeByte(' ');
                parameters(entity.type.parameters(), out);
                extension(entity, out);
            }
        } else {
            MediaType type = entity.type;
            if (type.type().equals("multipart")) {
                // a multipart without any delimiter: described as the text it is
                type = MediaType.TEXT_PLAIN;
            }
            ImapValues.nstring(out, upper(type.type()));
            out.writeByte(' ');
            ImapValues.nstring(out, upper(type.subtype()));
            out.writeByte(' ');
            parameters(withDefaultCharset(type), out);
            out.writeByte(' ');
            ImapValues.nstring(out, entity.header("Content-ID").orElse(null));
            out.writeByte(' ');
            ImapValues.nstring(out, entity.header("Content-Description").orElse(null));
            out.writeByte(' ');
            ImapValues.nstring(out, upper(entity.transferEncoding()));
            out.writeByte(' ');
            ImapValues.atom(out, Long.toString(entity.bodySize()));
            if (entity.isMessage()) {
                out.writeByte(' ');
                envelope(entity.message, out);
                out.writeByte(' ');
                write(entity.message, out);
                out.writeByte(' ');
                ImapValues.atom(out, Long.toString(entity.bodyLines(bytes)));
            } else if (type.type().equals("text")) {
                out.writeByte(' ');
                ImapValues.atom(out, Long.toString(entity.bodyLines(bytes)));
            }
            if (extensible) {
                out.writeByte(' ');
                ImapValues.nstring(out, entity.header("Content-MD5").orElse(null));
                extension(entity, out);
            }
        }
        out.writeByte(')');
    }

    /** SP disposition SP language SP location. */
    private void extension(MimeEntity entity, ByteBuf out) {
        out.writeByte(' ');
        Optional<MediaType> disposition = entity.header("Content-Disposition").map(MediaType::disposition);
        if (disposition.isPresent() && disposition.get() != null) {
            out.writeByte('(');
            ImapValues.nstring(out, disposition.get().type());
            out.writeByte(' ');
            parameters(disposition.get().parameters(), out);
            out.writeByte(')');
        } else {
            ImapValues.atom(out, "NIL");
        }
        out.writeByte(' ');
        Optional<String> language = entity.header("Content-Language");
        List<String> languages = language.map(value -> List.of(value.split("\\s*,\\s*"))).orElse(List.of());
        languages = languages.stream().map(String::strip).filter(value -> !value.isEmpty()).toList();
        if (languages.isEmpty()) {
            ImapValues.atom(out, "NIL");
        } else {
            out.writeByte('(');
            for (int i = 0; i < languages.size(); i++) {
                if (i > 0) {
                    out.writeByte(' ');
                }
                ImapValues.nstring(out, languages.get(i));
            }
            out.writeByte(')');
        }
        out.writeByte(' ');
        ImapValues.nstring(out, entity.header("Content-Location").orElse(null));
    }

    /** A text part without a charset is us-ascii (RFC 2045 §5.2); James and Dovecot say so in the structure. */
    private static List<Map.Entry<String, String>> withDefaultCharset(MediaType type) {
        if (!type.type().equals("text") || type.parameter("charset").isPresent()) {
            return type.parameters();
        }
        List<Map.Entry<String, String>> parameters = new java.util.ArrayList<>();
        parameters.add(Map.entry("charset", "us-ascii"));
        parameters.addAll(type.parameters());
        return parameters;
    }

    private static void parameters(List<Map.Entry<String, String>> parameters, ByteBuf out) {
        if (parameters.isEmpty()) {
            ImapValues.atom(out, "NIL");
            return;
        }
        out.writeByte('(');
        boolean first = true;
        for (Map.Entry<String, String> parameter : parameters) {
            if (!first) {
                out.writeByte(' ');
            }
            first = false;
            ImapValues.nstring(out, parameter.getKey());
            out.writeByte(' ');
            ImapValues.nstring(out, parameter.getValue());
        }
        out.writeByte(')');
    }

    /** RFC 3501 §7.4.2 ENVELOPE of an encapsulated message: raw header values, Sender and Reply-To default to From. */
    static void envelope(MimeEntity message, ByteBuf out) {
        out.writeByte('(');
        ImapValues.nstring(out, field(message, "Date"));
        out.writeByte(' ');
        ImapValues.nstring(out, field(message, "Subject"));
        Optional<String> from = Optional.ofNullable(field(message, "From"));
        out.writeByte(' ');
        addresses(from, out);
        out.writeByte(' ');
        addresses(Optional.ofNullable(field(message, "Sender")).or(() -> from), out);
        out.writeByte(' ');
        addresses(Optional.ofNullable(field(message, "Reply-To")).or(() -> from), out);
        for (String name : List.of("To", "Cc", "Bcc")) {
            out.writeByte(' ');
            addresses(Optional.ofNullable(field(message, name)), out);
        }
        out.writeByte(' ');
        ImapValues.nstring(out, field(message, "In-Reply-To"));
        out.writeByte(' ');
        ImapValues.nstring(out, field(message, "Message-ID"));
        out.writeByte(')');
    }

    /** A header's unfolded value; an absent or empty one is NIL (as James answers). */
    private static String field(MimeEntity message, String name) {
        return message.header(name).filter(value -> !value.isBlank()).orElse(null);
    }

    private static void addresses(Optional<String> value, ByteBuf out) {
        List<EnvelopeAddresses.Address> list = value.map(EnvelopeAddresses::parse).orElse(List.of());
        if (list.isEmpty()) {
            ImapValues.atom(out, "NIL");
            return;
        }
        out.writeByte('(');
        for (EnvelopeAddresses.Address address : list) {
            address(address.name(), address.route(), address.mailbox(), address.host(), out);
        }
        out.writeByte(')');
    }

    private static void address(String name, String route, String mailbox, String host, ByteBuf out) {
        out.writeByte('(');
        ImapValues.nstring(out, name);
        out.writeByte(' ');
        ImapValues.nstring(out, route);
        out.writeByte(' ');
        ImapValues.nstring(out, mailbox);
        out.writeByte(' ');
        ImapValues.nstring(out, host);
        out.writeByte(')');
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.US);
    }
}
