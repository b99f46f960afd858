package org.jamesproxy.imap.view;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real-shaped messages for the view tests (CRLF line ends), shared with the comparison against James in
 * integration-tests: simple text, multipart/mixed with attachments, alternative nested in mixed, an attached
 * message/rfc822 with its own multipart, a part without headers, preamble and epilogue, quoted-printable.
 */
public final class ViewMessages {
    private ViewMessages() {
    }

    public static final String SIMPLE = crlf("""
        From: Bob <bob@example.org>
        To: alice@example.org
        Subject: simple
        Date: Sun, 6 Dec 2026 10:00:00 +0000
        Message-ID: <simple@example.org>

        Hello Alice,
        two lines.
        """);

    public static final String MIXED = crlf("""
        From: Bob <bob@example.org>
        To: Alice <alice@example.org>, carol@example.org
        Subject: mixed
        X-Folded: first
         second
        \tthird
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 7bit
        Content-Language: en

        See the attachment.
        --b1
        Content-Type: application/octet-stream; name="data.bin"
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="data.bin"
        Content-ID: <part2@example.org>
        Content-Description: some data
        Content-Location: http://example.org/data.bin

        AAECAwQFBgcICQ==
        --b1--
        """);

    public static final String NESTED = crlf("""
        From: bob@example.org
        To: alice@example.org
        Subject: nested
        MIME-Version: 1.0
        Content-Type: multipart/mixed;
         boundary="outer"

        --outer
        Content-Type: multipart/alternative; boundary="inner"

        --inner
        Content-Type: text/plain; charset=us-ascii

        plain body
        --inner
        Content-Type: text/html; charset=us-ascii

        <p>html body</p>
        --inner--
        --outer
        Content-Type: application/pdf; name=doc.pdf
        Content-Disposition: attachment; filename=doc.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --outer--
        """);

    public static final String RFC822_ATTACHED = crlf("""
        From: bob@example.org
        To: alice@example.org
        Subject: forwarded
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="fw"

        --fw
        Content-Type: text/plain

        Forwarded below.
        --fw
        Content-Type: message/rfc822

        From: "Carol C." <carol@example.org>
        To: dave@example.org, "Eve" <eve@example.org>
        Cc: undisclosed-recipients:;
        Subject: inner subject
        Date: Sat, 5 Dec 2026 09:00:00 +0100
        Message-ID: <inner@example.org>
        In-Reply-To: <earlier@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="in"

        --in
        Content-Type: text/plain; charset=us-ascii

        inner plain
        --in
        Content-Type: text/html; charset=us-ascii
        Content-Transfer-Encoding: quoted-printable

        <b>inner=20html</b>=
        soft
        --in--

        --fw--
        """);

    public static final String NO_PART_HEADERS = crlf("""
        From: bob@example.org
        Subject: no part headers
        Content-Type: multipart/mixed; boundary=nh

        --nh

        a part without any header
        --nh
        Content-Type: text/plain

        second
        --nh--
        """);

    public static final String PREAMBLE_EPILOGUE = crlf("""
        From: bob@example.org
        Subject: preamble
        Content-Type: multipart/mixed; boundary="pe"

        This is the preamble.
        It has two lines.
        --pe
        Content-Type: text/plain

        only part
        --pe--
        This is the epilogue.
        """);

    public static final String PARAMETERS = crlf("""
        From: bob@example.org
        Subject: =?utf-8?q?caf=C3=A9?= parameters
        MIME-Version: 1.0
        Content-Type: MULTIPART/Mixed; BOUNDARY="pp"; comment=(not a param) x=y

        --pp
        Content-Type: TEXT/PLAIN; CHARSET="ISO-8859-1"; format=flowed
        Content-Transfer-Encoding: 8bit
        Content-Language: en, de
        Content-Disposition: inline

        café au lait
        --pp
        Content-Type: application/pdf;
         name*=utf-8''r%C3%A9sum%C3%A9.pdf
        Content-Disposition: attachment;
         filename*0="very long ";
         filename*1="name.pdf"; size=12
        Content-Transfer-Encoding: BASE64

        JVBERi0xLjQK
        --pp
        Content-Type: text/html

        <i>no charset</i>
        --pp--
        """);

    public static final String TOP_LEVEL_RFC822 = crlf("""
        From: relay@example.org
        Subject: wrapped
        MIME-Version: 1.0
        Content-Type: message/rfc822

        From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>, "Smith, Ann" <ann@example.org>
        Sender: sender@example.org
        Reply-To: team: a@example.org, b@example.org;
        To: <@route.example:dest@example.org>
        Subject:
        Message-ID: <wrapped@example.org>

        inner body
        line two
        """);

    public static final String DIGEST = crlf("""
        From: list@example.org
        Subject: digest
        MIME-Version: 1.0
        Content-Type: multipart/digest; boundary="dd"

        --dd

        From: one@example.org
        Subject: first

        first body
        --dd
        Content-Type: text/plain

        explicit text
        --dd--
        """);

    /** Name → message, in a stable order. */
    public static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("simple", SIMPLE);
        all.put("mixed", MIXED);
        all.put("nested", NESTED);
        all.put("rfc822", RFC822_ATTACHED);
        all.put("noPartHeaders", NO_PART_HEADERS);
        all.put("preambleEpilogue", PREAMBLE_EPILOGUE);
        all.put("parameters", PARAMETERS);
        all.put("topLevelRfc822", TOP_LEVEL_RFC822);
        all.put("digest", DIGEST);
        return all;
    }

    public static byte[] bytes(String message) {
        return message.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }
}
