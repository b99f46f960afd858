package org.jamesproxy.inspection;

import java.io.InputStream;
import java.util.Objects;

import javax.mail.util.SharedByteArrayInputStream;

import org.apache.james.server.core.MimeMessageSource;

/** Serves a message that is already in memory without copying it: every stream shares the same array. */
final class ByteArrayMimeMessageSource implements MimeMessageSource {
    private final String sourceId;
    private final byte[] content;

    ByteArrayMimeMessageSource(String sourceId, byte[] content) {
        this.sourceId = Objects.requireNonNull(sourceId);
        this.content = Objects.requireNonNull(content);
    }

    @Override
    public String getSourceId() {
        return sourceId;
    }

    @Override
    public InputStream getInputStream() {
        return new SharedByteArrayInputStream(content);
    }

    @Override
    public long getMessageSize() {
        return content.length;
    }
}
