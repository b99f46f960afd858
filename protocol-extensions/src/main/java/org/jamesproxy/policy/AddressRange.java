package org.jamesproxy.policy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

import com.google.common.net.InetAddresses;

/**
 * A set of client addresses as an admin writes it in a From list: {@code *}, one address ({@code 192.0.2.7},
 * {@code ::1}), a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or an inclusive range
 * ({@code 192.0.2.10-192.0.2.20}). IPv4 and IPv6 never match each other, except that an IPv4-mapped IPv6 client
 * ({@code ::ffff:192.0.2.7}, what a dual-stack socket reports) is compared as the IPv4 address it carries.
 * Host names are refused: a From list that needs DNS at every connect is slow and spoofable.
 */
public final class AddressRange {
    private static final AddressRange ANY = new AddressRange("*", 0, BigInteger.ZERO, BigInteger.ZERO);

    private final String text;
    /** 4 or 16; 0 for {@code *}. */
    private final int length;
    private final BigInteger low;
    private final BigInteger high;

    private AddressRange(String text, int length, BigInteger low, BigInteger high) {
        this.text = text;
        this.length = length;
        this.low = low;
        this.high = high;
    }

    public static AddressRange any() {
        return ANY;
    }

    /** @throws IllegalArgumentException with what was expected, for the config parser to name the element */
    public static AddressRange parse(String value) {
        String text = value.trim();
        if (text.equals("*")) {
            return ANY;
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            byte[] network = literal(text.substring(0, slash), text);
            int bits = prefixLength(text.substring(slash + 1), network.length * 8, text);
            BigInteger mask = BigInteger.ONE.shiftLeft(network.length * 8 - bits).subtract(BigInteger.ONE);
            BigInteger start = unsigned(network).andNot(mask);
            if (!start.equals(unsigned(network))) {
                throw new IllegalArgumentException("'" + text + "' has host bits set after /" + bits
                    + ": write " + InetAddresses.toAddrString(address(start, network.length)) + "/" + bits);
            }
            return new AddressRange(text, network.length, start, start.or(mask));
        }
        int dash = text.indexOf('-');
        if (dash >= 0) {
            byte[] first = literal(text.substring(0, dash), text);
            byte[] last = literal(text.substring(dash + 1), text);
            if (first.length != last.length) {
                throw new IllegalArgumentException("'" + text + "' mixes IPv4 and IPv6");
            }
            if (unsigned(first).compareTo(unsigned(last)) > 0) {
                throw new IllegalArgumentException("'" + text + "' ends before it starts");
            }
            return new AddressRange(text, first.length, unsigned(first), unsigned(last));
        }
        byte[] single = literal(text, text);
        return new AddressRange(text, single.length, unsigned(single), unsigned(single));
    }

    public boolean contains(InetAddress address) {
        return contains(Client.of(address));
    }

    /** With the client's address converted once, for a list of many ranges. */
    boolean contains(Client client) {
        if (length == 0) {
            return true;
        }
        return client.length == length && client.value.compareTo(low) >= 0 && client.value.compareTo(high) <= 0;
    }

    boolean isAny() {
        return length == 0;
    }

    int length() {
        return length;
    }

    BigInteger low() {
        return low;
    }

    BigInteger high() {
        return high;
    }

    /** A client address in the form ranges compare. */
    static final class Client {
        private final int length;
        private final BigInteger value;

        private Client(int length, BigInteger value) {
            this.length = length;
            this.value = value;
        }

        int length() {
            return length;
        }

        BigInteger value() {
            return value;
        }

        static Client of(InetAddress address) {
            byte[] bytes = comparable(address);
            return new Client(bytes.length, unsigned(bytes));
        }
    }

    /** The bytes compared: an IPv4-mapped IPv6 address as its IPv4 form. */
    static byte[] comparable(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16 && isIpv4Mapped(bytes)) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, 12, v4, 0, 4);
            return v4;
        }
        return bytes;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    private static byte[] literal(String value, String whole) {
        String candidate = value.trim();
        if (candidate.startsWith("[") && candidate.endsWith("]")) {
            candidate = candidate.substring(1, candidate.length() - 1);
        }
        if (!InetAddresses.isInetAddress(candidate)) {
            throw new IllegalArgumentException("'" + whole + "' is not *, an IP address, a CIDR block (10.0.0.0/8)"
                + " or a range (192.0.2.10-192.0.2.20)" + (candidate.matches(".*[a-zA-Z].*") && !candidate.contains(":")
                ? "; host names are not allowed" : ""));
        }
        return comparable(InetAddresses.forString(candidate));
    }

    private static int prefixLength(String value, int max, String whole) {
        try {
            int bits = Integer.parseInt(value.trim());
            if (bits >= 0 && bits <= max) {
                return bits;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + whole + "': the prefix length must be 0 to " + max);
    }

    private static BigInteger unsigned(byte[] bytes) {
        return new BigInteger(1, bytes);
    }

    private static InetAddress address(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange that && length == that.length && low.equals(that.low) && high.equals(that.high);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(length, low, high);
    }

    @Override
    public String toString() {
        return text.toLowerCase(Locale.ROOT);
    }
}
