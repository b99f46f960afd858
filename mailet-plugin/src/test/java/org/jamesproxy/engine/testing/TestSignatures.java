package org.jamesproxy.engine.testing;

import java.nio.charset.StandardCharsets;

/** The industry test strings: harmless, and recognised as a virus (EICAR) or as spam (GTUBE) by design. */
public final class TestSignatures {
    /** The 68-byte EICAR anti-virus test file. */
    public static final String EICAR_TEXT = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    /** SpamAssassin's Generic Test for Unsolicited Bulk Email: scores 1000. */
    public static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    /** Names of the signatures {@link ClamdDaemon} writes ({@code .UNOFFICIAL} is appended by clamd). */
    public static final String EICAR_HASH_SIGNATURE = "JamesProxy-Test-Eicar-Hash";
    public static final String EICAR_BODY_SIGNATURE = "JamesProxy-Test-Eicar-Body";

    private TestSignatures() {
    }

    public static byte[] eicar() {
        return EICAR_TEXT.getBytes(StandardCharsets.US_ASCII);
    }
}
