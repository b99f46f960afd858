package org.jamesproxy.it.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jamesproxy.demo.JamesHome;

/**
 * Adds mailets to the {@code transport} processor of a written James home's {@code conf/mailetcontainer.xml}, right
 * before local delivery is decided: where an admin puts content checks for inbound mail.
 */
final class MailetContainerXml {
    private static final String ANCHOR = "<mailet match=\"RecipientIsLocal\" class=\"ToProcessor\">";

    private MailetContainerXml() {
    }

    static void insertBeforeLocalDelivery(JamesHome home, String mailetsXml) {
        Path file = home.confDirectory().resolve("mailetcontainer.xml");
        try {
            String xml = Files.readString(file, StandardCharsets.UTF_8);
            int anchor = xml.indexOf(ANCHOR);
            if (anchor < 0 || xml.indexOf(ANCHOR, anchor + 1) >= 0) {
                throw new IllegalStateException("expected exactly one '" + ANCHOR + "' in " + file);
            }
            Files.writeString(file, xml.substring(0, anchor) + mailetsXml + "\n            " + xml.substring(anchor),
                StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a processor (before the closing {@code </processors>}). */
    static void addProcessor(JamesHome home, String processorXml) {
        Path file = home.confDirectory().resolve("mailetcontainer.xml");
        try {
            String xml = Files.readString(file, StandardCharsets.UTF_8);
            int end = xml.lastIndexOf("</processors>");
            if (end < 0) {
                throw new IllegalStateException("no </processors> in " + file);
            }
            Files.writeString(file, xml.substring(0, end) + processorXml + "\n    " + xml.substring(end), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
