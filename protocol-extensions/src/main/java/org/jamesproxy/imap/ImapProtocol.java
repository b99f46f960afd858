package org.jamesproxy.imap;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.jamesproxy.config.PolicyKind;
import org.jamesproxy.config.ImapPolicy;
import org.jamesproxy.listener.ProxyListenerPair;
import org.jamesproxy.relay.PolicyResources;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.relay.RelayMetrics;

import io.netty.handler.stream.ChunkedWriteHandler;

/** The IMAP protocol: {@code <imapproxy>} policies, each a listener pair whose connections are {@link ImapProxySession}s. */
public final class ImapProtocol implements ProxyProtocol<ImapPolicy> {
    public static final ImapProtocol INSTANCE = new ImapProtocol();
    static final RelayMetrics.Names METRICS = new RelayMetrics.Names("imapproxy", "starttls", "logins", "fetch");

    static final String CHUNKED_WRITER = "imapChunkedWriter";

    private ImapProtocol() {
    }

    @Override
    public PolicyKind<ImapPolicy> kind() {
        return ImapPolicy.KIND;
    }

    @Override
    public ProxyListenerPair listeners(ImapPolicy policy, PolicyResources resources) throws ConfigurationException {
        ImapProxy proxy = new ImapProxy(policy, resources);
        return resources.listeners("IMAP proxy", policy.getPolicy(), reason -> "* BYE " + reason,
            (channel, implicitTls) -> {
                // Between TLS (added before it, now or at STARTTLS) and the session: large inspected messages are
                // written chunk by chunk as the client reads them (ViewResponse).
                channel.pipeline().addLast(CHUNKED_WRITER, new ChunkedWriteHandler());
                return new ImapProxySession(proxy, channel, implicitTls).clientHandler();
            })
            .whenStopped(proxy.views::close);
    }

    @Override
    public String greetingPrefix() {
        return "* OK";
    }

    @Override
    public java.util.Optional<RelayMetrics.Names> metricNames() {
        return java.util.Optional.of(METRICS);
    }
}
