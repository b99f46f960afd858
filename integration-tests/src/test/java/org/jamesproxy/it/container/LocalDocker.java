package org.jamesproxy.it.container;

import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker side of the container suite: images are built locally by {@code .ci/images.sh} and tagged
 * {@code localhost/james-mail-proxy/<name>:it}; nothing is ever pulled (no registry is reachable on CI, and a missing
 * image must fail in a second, not retry a pull for minutes).
 */
final class LocalDocker {
    static final DockerImageName JAMES = local("james");
    static final DockerImageName DOVECOT = local("dovecot");
    static final DockerImageName POSTFIX = local("postfix");
    static final DockerImageName CLAMD = local("clamd");
    /** Never pull: the image is there (built by .ci/images.sh) or the test fails at once. */
    static final ImagePullPolicy NEVER_PULL = imageName -> false;

    private LocalDocker() {
    }

    private static DockerImageName local(String name) {
        return DockerImageName.parse("localhost/james-mail-proxy/" + name + ":it");
    }
}
