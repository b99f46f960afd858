package org.jamesproxy.config;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

import com.google.common.net.InetAddresses;

/**
 * One address or CIDR block ({@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}), given as a
 * literal: a host name would make trust depend on DNS. An IPv4 range also matches the IPv4-mapped IPv6 form.
 */
public final class AddressRange {
    /** @throws IllegalArgumentException naming what is wrong with the text */
    public static AddressRange parse(String text) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("'" + address + "' is not an IP address literal");
        }
        byte[] network = InetAddresses.forString(address).getAddress();
        int maxBits = network.length * 8;
        int bits = maxBits;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > maxBits) {
                throw new IllegalArgumentException("prefix length of '" + trimmed + "' must be 0.." + maxBits);
            }
        }
        return new AddressRange(network, bits, trimmed);
    }

    private final byte[] network;
    private final int bits;
    private final String text;

    private AddressRange(byte[] network, int bits, String text) {
        this.network = network;
        this.bits = bits;
        this.text = text;
    }

    public boolean contains(InetAddress candidate) {
        byte[] address = candidate.getAddress();
        if (address.length == 16 && network.length == 4 && isIpv4Mapped(address)) {
            address = Arrays.copyOfRange(address, 12, 16);
        }
        if (address.length != network.length) {
            return false;
        }
        int fullBytes = bits / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    @Override
    public final boolean equals(Object o) {
        if (o instanceof AddressRange) {
            AddressRange that = (AddressRange) o;
            return bits == that.bits && Arrays.equals(network, that.network);
        }
        return false;
    }

    @Override
    public final int hashCode() {
        return Objects.hash(bits, Arrays.hashCode(network));
    }

    @Override
    public String toString() {
        return text;
    }
}
