package org.jamesproxy.it.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * An end-to-end test class (in-process James, real clients, or James in its own JVM): tagged {@code end-to-end}, so
 * that {@code mvn -B verify -DexcludedGroups=end-to-end,container} runs the unit and component tests only.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("end-to-end")
public @interface EndToEndTest {
}
