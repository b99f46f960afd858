package org.jamesproxy.testing;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Path;

import org.apache.james.filesystem.api.FileSystem;

/** The part of James's FileSystem the proxy uses: {@code file:///abs/path} and {@code file://rel} under a base directory. */
public final class FileUrlFileSystem implements FileSystem {
    private final Path baseDirectory;

    public FileUrlFileSystem(Path baseDirectory) {
        this.baseDirectory = baseDirectory;
    }

    @Override
    public InputStream getResource(String url) throws FileNotFoundException {
        return new FileInputStream(getFile(url));
    }

    @Override
    public File getFile(String url) throws FileNotFoundException {
        if (url.startsWith(FILE_PROTOCOL_ABSOLUTE)) {
            return existing(new File("/" + url.substring(FILE_PROTOCOL_ABSOLUTE.length())));
        }
        if (url.startsWith(FILE_PROTOCOL)) {
            return existing(baseDirectory.resolve(url.substring(FILE_PROTOCOL.length())).toFile());
        }
        throw new FileNotFoundException("unsupported URL in tests: " + url);
    }

    private static File existing(File file) throws FileNotFoundException {
        if (!file.exists()) {
            throw new FileNotFoundException(file.getAbsolutePath());
        }
        return file;
    }

    @Override
    public File getBasedir() {
        return baseDirectory.toFile();
    }

    public static String url(Path file) {
        return "file://" + file.toAbsolutePath();
    }
}
