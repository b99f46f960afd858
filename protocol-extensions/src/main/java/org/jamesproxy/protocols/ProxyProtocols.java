package org.jamesproxy.protocols;

import java.util.List;

import org.jamesproxy.imap.ImapProtocol;
import org.jamesproxy.pop3.Pop3Protocol;
import org.jamesproxy.relay.ProxyProtocol;
import org.jamesproxy.smtp.SmtpProtocol;

/** Every protocol the proxy speaks, in the order their listeners start (the registry the boot code loops over). */
public final class ProxyProtocols {
    public static final List<ProxyProtocol<?>> ALL = List.of(ImapProtocol.INSTANCE, SmtpProtocol.INSTANCE, Pop3Protocol.INSTANCE);

    private ProxyProtocols() {
    }
}
