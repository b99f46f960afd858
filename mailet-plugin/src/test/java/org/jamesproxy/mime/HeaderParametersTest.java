package org.jamesproxy.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeaderParametersTest {
    @Test
    void valueIsLowerCasedAndParametersUnquoted() {
        HeaderParameters parsed = HeaderParameters.parse("Multipart/Mixed; Boundary=\"a;b\\\"c\"; charset=us-ascii");

        assertThat(parsed.getValue()).isEqualTo("multipart/mixed");
        assertThat(parsed.decoded("boundary")).containsExactly("a;b\"c");
        assertThat(parsed.decoded("charset")).containsExactly("us-ascii");
    }

    @Test
    void commentsAndFoldingAreIgnored() {
        HeaderParameters parsed = HeaderParameters.parse("attachment (a comment; with semicolon);\r\n\tfilename=\"a.txt\"");

        assertThat(parsed.getValue()).isEqualTo("attachment");
        assertThat(parsed.decoded("filename")).containsExactly("a.txt");
    }

    @Test
    void rfc2231ContinuationsWithCharsetAreJoinedThenDecoded() {
        // "résumé 2024.exe" in ISO-8859-1 over two encoded sections and one plain section.
        HeaderParameters parsed = HeaderParameters.parse(
            "attachment; filename*0*=iso-8859-1'fr'r%E9sum; filename*1*=%E9%202024; filename*2=.exe");

        assertThat(parsed.decoded("filename")).containsExactly("r\u00e9sum\u00e9 2024.exe");
        assertThat(parsed.definitions("filename")).isEqualTo(1);
    }

    @Test
    void rfc2231ContinuationsAreOrderedByNumberNotByPosition() {
        HeaderParameters parsed = HeaderParameters.parse("attachment; filename*1=\".exe\"; filename*0=\"evil\"");

        assertThat(parsed.decoded("filename")).containsExactly("evil.exe");
    }

    @Test
    void rfc2231SingleExtendedValueInUtf8() {
        HeaderParameters parsed = HeaderParameters.parse("attachment; filename*=UTF-8''%D1%84%D0%B0%D0%B9%D0%BB.exe");

        assertThat(parsed.decoded("filename")).containsExactly("\u0444\u0430\u0439\u043b.exe");
    }

    @Test
    void rfc2047QAndBEncodedWordsAreDecoded() {
        assertThat(HeaderParameters.parse("application/octet-stream; name=\"=?UTF-8?Q?facture_=C3=A9t=C3=A9.exe?=\"").decoded("name"))
            .containsExactly("facture \u00e9t\u00e9.exe");
        assertThat(HeaderParameters.parse("attachment; filename=\"=?UTF-8?B?aW52b2ljZS5zY3I=?=\"").decoded("filename"))
            .containsExactly("invoice.scr");
    }

    @Test
    void everyDefinitionIsKept() {
        HeaderParameters parsed = HeaderParameters.parse("multipart/mixed; boundary=\"one\"; boundary=\"two\"");

        assertThat(parsed.decoded("boundary")).containsExactly("one", "two");
        assertThat(parsed.definitions("boundary")).isEqualTo(2);
    }

    @Test
    void plainAndExtendedFilenamesAreBothCandidates() {
        HeaderParameters parsed = HeaderParameters.parse("attachment; filename=\"report.pdf\"; filename*=UTF-8''report.exe");

        assertThat(parsed.decoded("filename")).containsExactly("report.pdf", "report.exe");
        assertThat(parsed.definitions("filename")).isEqualTo(2);
    }

    @Test
    void unknownCharsetFallsBackToLatin1() {
        assertThat(HeaderParameters.parse("attachment; filename*=x-unknown''a%E9.exe").decoded("filename"))
            .containsExactly("a\u00e9.exe");
    }

    @Test
    void parameterWithoutValueIsIgnored() {
        HeaderParameters parsed = HeaderParameters.parse("attachment; junk; filename=a.exe");

        assertThat(parsed.getParameters()).hasSize(1);
        assertThat(parsed.decoded("filename")).containsExactly("a.exe");
    }
}
