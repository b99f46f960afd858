package org.jamesproxy.engine.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the engine binaries. A missing one fails the test when {@code CI=true} (the CI installs them with
 * {@code .ci/install-engines.sh}) and skips it otherwise, naming what to install.
 */
public final class EngineBinaries {
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin");

    private EngineBinaries() {
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static Optional<Path> find(String name) {
        List<String> directories = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        return directories.stream()
            .filter(directory -> !directory.isEmpty())
            .map(directory -> Path.of(directory, name))
            .filter(Files::isExecutable)
            .findFirst();
    }

    /** @return why {@code name} cannot be run, or empty when it is installed */
    public static Optional<String> missing(String name, String debianPackages) {
        return find(name).isPresent() ? Optional.empty()
            : Optional.of(name + " is not installed: run .ci/install-engines.sh (Debian packages: " + debianPackages + ")");
    }

    /** The binary, or the test fails (CI) / is skipped (elsewhere). */
    public static Path require(String name, String debianPackages) {
        Optional<Path> binary = find(name);
        if (binary.isEmpty()) {
            String message = missing(name, debianPackages).orElseThrow();
            if (underCi()) {
                throw new IllegalStateException(message + "; CI=true, so this is a failure, not a skip");
            }
            Assumptions.assumeTrue(false, message);
        }
        return binary.get();
    }
}
