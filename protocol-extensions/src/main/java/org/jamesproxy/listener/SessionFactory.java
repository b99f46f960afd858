package org.jamesproxy.listener;

import io.netty.channel.ChannelHandler;
import io.netty.channel.socket.SocketChannel;

/** Creates the protocol relay that owns one accepted client connection. */
@FunctionalInterface
public interface SessionFactory {
    /**
     * @param implicitTls true on the implicit-TLS listener of the pair: the TLS handler is already in place
     */
    ChannelHandler create(SocketChannel clientChannel, boolean implicitTls);
}
