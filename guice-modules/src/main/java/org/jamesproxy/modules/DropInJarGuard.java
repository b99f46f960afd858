package org.jamesproxy.modules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start the plugin from a jar that bundles classes James already ships (Netty, Guice, javax.mail, ...).
 *
 * <p>Why: James's extension class loader is parent-first, so such bundled copies are silently ignored, and the plugin
 * then runs against whatever James provides, or, for classes James lacks in that package, mixes both versions. That
 * fails much later and obscurely (NoSuchMethodError, LinkageError under load). Failing James's boot with a message
 * naming the packages and the right jar is the only clear outcome. Only jars are checked: a class directory (in-process
 * tests, IDE) is not a deployment.</p>
 */
public final class DropInJarGuard {
    private static final Logger LOGGER = LoggerFactory.getLogger(DropInJarGuard.class);

    /** Path prefixes (in a jar) of what James 3.8.1 ships on its own class path. */
    static final List<String> JAMES_SHIPPED_PACKAGES = List.of(
        "io/netty/", "com/google/inject/", "com/google/common/", "javax/inject/", "javax/mail/", "com/sun/mail/",
        "javax/activation/", "org/bouncycastle/", "org/apache/james/", "org/apache/mailet/", "org/apache/commons/",
        "org/slf4j/", "ch/qos/logback/", "reactor/", "org/reactivestreams/", "com/fasterxml/jackson/",
        "nl/altindag/ssl/");
    /** How many offending packages the message lists; the rest are counted. */
    static final int MAX_LISTED_PACKAGES = 10;
    /** Multi-release jars keep version-specific classes under META-INF/versions/N/. */
    private static final Pattern VERSIONED_ENTRY = Pattern.compile("^META-INF/versions/\\d+/(.*)$");

    private DropInJarGuard() {
    }

    /** Checks the jar {@code anchor} was loaded from; nothing when it comes from a directory or an unknown place. */
    public static void checkLoadedFrom(Class<?> anchor) {
        Optional<Path> location = locationOf(anchor);
        if (location.isPresent() && Files.isRegularFile(location.get())) {
            check(location.get());
        }
    }

    /**
     * @throws IllegalStateException when the jar holds classes of packages James ships, naming those packages, the jar,
     *     and the jar to use instead
     */
    public static void check(Path jar) {
        TreeSet<String> offending = offendingPackages(jar);
        if (offending.isEmpty()) {
            LOGGER.debug("Drop-in jar {} bundles no package James ships", jar);
            return;
        }
        throw new IllegalStateException(message(jar, offending));
    }

    static TreeSet<String> offendingPackages(Path jar) {
        TreeSet<String> offending = new TreeSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = unversioned(entry.getName());
                if (!entry.isDirectory() && name.endsWith(".class") && isShippedByJames(name)) {
                    int slash = name.lastIndexOf('/');
                    offending.add(name.substring(0, slash).replace('/', '.'));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the james-mail-proxy jar " + jar, e);
        }
        return offending;
    }

    private static String message(Path jar, TreeSet<String> offending) {
        String listed = String.join(", ", offending.stream().limit(MAX_LISTED_PACKAGES).toList());
        String more = offending.size() > MAX_LISTED_PACKAGES
            ? " and " + (offending.size() - MAX_LISTED_PACKAGES) + " more"
            : "";
        return "james-mail-proxy: the jar " + jar + " in extensions-jars/ bundles classes of packages Apache James "
            + "already ships (" + listed + more + "). James's class loader would silently use its own copies instead, "
            + "so the plugin refuses to start. Deploy the plugin's drop-in jar (guice-modules-<version>-dropin.jar), "
            + "which bundles only org.jamesproxy classes, instead of this jar.";
    }

    private static boolean isShippedByJames(String entryName) {
        return JAMES_SHIPPED_PACKAGES.stream().anyMatch(entryName::startsWith);
    }

    private static String unversioned(String entryName) {
        Matcher matcher = VERSIONED_ENTRY.matcher(entryName);
        return matcher.matches() ? matcher.group(1) : entryName;
    }

    private static Optional<Path> locationOf(Class<?> anchor) {
        CodeSource codeSource = anchor.getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(codeSource.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            LOGGER.warn("Cannot tell where {} was loaded from ({}); the drop-in jar check is skipped",
                anchor.getName(), codeSource.getLocation());
            return Optional.empty();
        }
    }
}
