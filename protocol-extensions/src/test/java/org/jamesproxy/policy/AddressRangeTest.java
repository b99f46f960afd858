package org.jamesproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class AddressRangeTest {
    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void cidrRangesAndSingleAddressesShouldMatchWhatTheyCover() throws Exception {
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("10.255.1.2"))).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(AddressRange.parse("192.0.2.10-192.0.2.20").contains(ip("192.0.2.20"))).isTrue();
        assertThat(AddressRange.parse("192.0.2.10-192.0.2.20").contains(ip("192.0.2.21"))).isFalse();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("2001:db8:1::5"))).isTrue();
        assertThat(AddressRange.parse("2001:db8::/32").contains(ip("10.0.0.1"))).isFalse();
        assertThat(AddressRange.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
        assertThat(AddressRange.parse("*").contains(ip("::1"))).isTrue();
    }

    @Test
    void anIpv4MappedClientShouldBeComparedAsItsIpv4Address() throws Exception {
        InetAddress mapped = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3});

        assertThat(AddressRange.parse("10.0.0.0/8").contains(mapped)).isTrue();
    }

    @Test
    void malformedRangesShouldBeRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.1/8")).hasMessageContaining("host bits").hasMessageContaining("10.0.0.0/8");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.0/33")).hasMessageContaining("0 to 32");
        assertThatThrownBy(() -> AddressRange.parse("mail.example.com")).hasMessageContaining("host names are not allowed");
        assertThatThrownBy(() -> AddressRange.parse("192.0.2.20-192.0.2.10")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> AddressRange.parse("10.0.0.1-::1")).hasMessageContaining("mixes");
    }

    @Test
    void theIndexShouldAnswerTheFirstMatchingRuleLikeALinearScan() throws Exception {
        List<AccessRule> rules = ImmutableList.of(
            new AccessRule("a", List.of(AddressRange.parse("10.1.0.0/16")), Disposition.ALLOWED, false),
            new AccessRule("b", List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("192.0.2.5")), Disposition.DENIED, false),
            new AccessRule("c", List.of(AddressRange.parse("10.1.2.0/24")), Disposition.DENIED_RESET, false),
            new AccessRule("d", List.of(AddressRange.parse("*")), Disposition.DENIED, false));
        AccessRules access = new AccessRules(rules, AccessRules.ALLOW_ALL.defaultRule());
        java.util.Random random = new java.util.Random(7);

        for (int i = 0; i < 5000; i++) {
            InetAddress client = ip((random.nextBoolean() ? "10." : "192.0.") + random.nextInt(3) + "." + random.nextInt(256)
                + (random.nextBoolean() ? "" : ""));
            AddressRange.Client converted = AddressRange.Client.of(client);
            AccessRule linear = rules.stream().filter(rule -> rule.matches(converted)).findFirst().orElseThrow();
            assertThat(access.match(client)).as(client.toString()).isEqualTo(linear);
        }
        assertThat(access.match(ip("10.1.2.3")).name()).isEqualTo("a");
        assertThat(access.match(ip("::1")).name()).isEqualTo("d");
    }
}
