package org.jamesproxy.policy.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A RESP2 reply: simple string, error, integer, bulk string (null when absent) or array (null when absent). */
sealed interface RespValue {
    record Simple(String text) implements RespValue {
    }

    record Error(String message) implements RespValue {
    }

    record Integer(long value) implements RespValue {
    }

    record Bulk(byte[] bytes) implements RespValue {
        String text() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }

    record Array(List<RespValue> items) implements RespValue {
    }
}
