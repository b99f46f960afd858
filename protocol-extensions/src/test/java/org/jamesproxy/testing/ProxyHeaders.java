package org.jamesproxy.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * PROXY protocol headers written and read by hand after the HAProxy specification (not with Netty's codec, which
 * the code under test uses): what a load balancer sends the proxy, and what an upstream receives from it.
 */
public final class ProxyHeaders {
    /** The 12-byte signature of a v2 header. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** One decoded header: its version (1, 2), command ({@code PROXY}, {@code LOCAL}) and the addresses. */
    public record Header(int version, String command, String sourceAddress, int sourcePort,
                         String destinationAddress, int destinationPort) {
    }

    private ProxyHeaders() {
    }

    public static byte[] v1(String source, int sourcePort, String destination, int destinationPort) {
        return v1("TCP4", source, sourcePort, destination, destinationPort);
    }

    /** @param family TCP4 or TCP6 */
    public static byte[] v1(String family, String source, int sourcePort, String destination, int destinationPort) {
        return ("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " " + destinationPort + "\r\n").getBytes(US_ASCII);
    }

    /** A v2 PROXY (or LOCAL) header for TCP over IPv4. */
    public static byte[] v2(boolean proxy, String source, int sourcePort, String destination, int destinationPort) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(16 + 12);
        header.put(V2_SIGNATURE);
        header.put((byte) (proxy ? 0x21 : 0x20));
        header.put((byte) 0x11);
        header.putShort((short) 12);
        header.put(InetAddress.getByName(source).getAddress());
        header.put(InetAddress.getByName(destination).getAddress());
        header.putShort((short) sourcePort);
        header.putShort((short) destinationPort);
        return header.array();
    }

    /** Reads one header, v1 or v2, and nothing after it. */
    public static Header read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int first = in.readUnsignedByte();
        if (first == 'P') {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.write(first);
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0 || line.size() > 107) {
                    throw new IOException("no v1 header end: " + line.toString(US_ASCII));
                }
                line.write(b);
            }
            String[] words = line.toString(US_ASCII).trim().split(" ");
            if (!words[0].equals("PROXY") || words.length != 6) {
                throw new IOException("not a v1 header: " + line.toString(US_ASCII));
            }
            return new Header(1, "PROXY", words[2], Integer.parseInt(words[4]), words[3], Integer.parseInt(words[5]));
        }
        byte[] signature = new byte[12];
        signature[0] = (byte) first;
        in.readFully(signature, 1, 11);
        if (!Arrays.equals(signature, V2_SIGNATURE)) {
            throw new IOException("neither a v1 nor a v2 header: " + Arrays.toString(signature));
        }
        int versionCommand = in.readUnsignedByte();
        int family = in.readUnsignedByte();
        int length = in.readUnsignedShort();
        byte[] body = new byte[length];
        in.readFully(body);
        String command = (versionCommand & 0x0F) == 1 ? "PROXY" : "LOCAL";
        ByteBuffer addresses = ByteBuffer.wrap(body);
        int addressLength = (family >> 4) == 1 ? 4 : 16;
        byte[] source = new byte[addressLength];
        byte[] destination = new byte[addressLength];
        addresses.get(source);
        addresses.get(destination);
        return new Header(versionCommand >> 4, command, InetAddress.getByAddress(source).getHostAddress(),
            Short.toUnsignedInt(addresses.getShort()), InetAddress.getByAddress(destination).getHostAddress(),
            Short.toUnsignedInt(addresses.getShort()));
    }
}
