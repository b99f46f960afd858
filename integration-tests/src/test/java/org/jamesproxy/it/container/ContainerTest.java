package org.jamesproxy.it.container;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class of the container suite: tagged {@code container} (so {@code -DexcludedGroups=container} leaves it out),
 * and it needs a Docker daemon ({@link DockerRequired}: without one, each test is skipped, or under {@code CI=true}
 * the class fails).
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("container")
@ExtendWith(DockerRequired.class)
@interface ContainerTest {
}
