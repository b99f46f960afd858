package org.jamesproxy.it.container;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the containers' listeners (host networking), taken BELOW Linux's ephemeral range
 * (32768-60999). A container listener is bound seconds after its port was chosen (James boots for ~15 s); a port of
 * the ephemeral range can meanwhile become the source port of any outgoing connection on this busy machine (other
 * builds run here), which made James's boot fail with "Address already in use". Below that range only an explicit
 * bind can take it. Never the same port twice in this JVM.
 */
final class ContainerPorts {
    private static final int FIRST = 20000;
    private static final int LAST = 32000;
    private static final Set<Integer> GIVEN = new HashSet<>();

    private ContainerPorts() {
    }

    static synchronized int next() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (!GIVEN.contains(port) && bindable(port)) {
                GIVEN.add(port);
                return port;
            }
        }
        throw new IllegalStateException("No free loopback port in " + FIRST + "-" + LAST + " after 200 attempts");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
