package org.jamesproxy.testing;

/** A fake upstream server on a loopback port, as the relay fixtures start and close it. */
public interface FakeUpstream extends AutoCloseable {
    int port();
}
