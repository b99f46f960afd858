package org.jamesproxy.client;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns a destination name into the address the proxy connects to (tests map names such as imap.upstream.test to loopback). */
@FunctionalInterface
public interface DestinationResolver {
    DestinationResolver SYSTEM = InetAddress::getByName;

    InetAddress resolve(String hostName) throws UnknownHostException;
}
