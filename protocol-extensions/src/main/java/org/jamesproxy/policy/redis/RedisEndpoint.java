package org.jamesproxy.policy.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where the shared state lives, from a {@code redis://[:password@]host[:port][/database]} URI (the form Redis tools
 * use). TLS to Redis ({@code rediss://}) is not supported: run Redis on the nodes' private network or loopback.
 */
public record RedisEndpoint(String host, int port, Optional<String> password, int database) {
    public static RedisEndpoint parse(String text) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + e.getMessage());
        }
        if (!"redis".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected redis://[:password@]host[:port][/database]"
                + ("rediss".equalsIgnoreCase(uri.getScheme()) ? " (rediss, Redis over TLS, is not supported)" : ""));
        }
        Optional<String> password = Optional.ofNullable(uri.getUserInfo())
            .map(info -> info.startsWith(":") ? info.substring(1) : info)
            .filter(secret -> !secret.isEmpty());
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the database after the / must be a number, not '" + path.substring(1) + "'");
            }
        }
        return new RedisEndpoint(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort(), password, database);
    }

    /** For logs: the password is never printed. */
    @Override
    public String toString() {
        return "redis://" + host + ":" + port + (database == 0 ? "" : "/" + database);
    }
}
