package org.jamesproxy.it.container;

import java.util.Optional;

import org.jamesproxy.engine.testing.Prerequisite;
import org.testcontainers.DockerClientFactory;

/**
 * The container suite's prerequisite: a Docker daemon that answers (images are checked by the tests themselves, which
 * never pull). Missing under {@code CI=true}: the class fails (CI starts one with .ci/docker-up.sh); elsewhere each
 * test is reported skipped ({@link Prerequisite}).
 */
final class DockerRequired extends Prerequisite {
    private static volatile Optional<String> missing;

    @Override
    protected Optional<String> missing() {
        Optional<String> known = missing;
        if (known == null) {
            known = DockerClientFactory.instance().isDockerAvailable() ? Optional.empty()
                : Optional.of("No Docker daemon (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "). Start one with "
                    + "`eval \"$(sudo .ci/docker-up.sh)\"` and build the images with `sudo .ci/images.sh` (see README)");
            missing = known;
        }
        return known;
    }
}
