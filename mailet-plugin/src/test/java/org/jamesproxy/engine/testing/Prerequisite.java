package org.jamesproxy.engine.testing;

import java.lang.reflect.Method;
import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Something a test class needs from the machine (an engine binary, a Docker daemon), as a JUnit 5 extension that makes
 * the skip-or-fail decision in one place:
 * <ul>
 *   <li>present: everything runs;</li>
 *   <li>missing under {@code CI=true}: the test class FAILS (CI installs and starts everything, so a skip there would
 *       hide a broken setup);</li>
 *   <li>missing elsewhere: every test is reported SKIPPED with the reason, so the Surefire summary counts them
 *       ({@code Skipped: N}), and the class's {@code @BeforeAll} methods are not run, since they would only start or
 *       use what is missing. {@code @AfterAll} methods still run and must cope with what {@code @BeforeAll} did not
 *       create.</li>
 * </ul>
 * An assumption in {@code @BeforeAll} (or a {@code BeforeAllCallback}) instead aborts the whole class, which Surefire
 * reports as {@code Tests run: 0, Skipped: 0}: the tests vanish from the summary.
 */
public abstract class Prerequisite implements ExecutionCondition, InvocationInterceptor {
    /** @return why it is missing, naming what to install or start; empty when it is there */
    protected abstract Optional<String> missing();

    /** Missing, and not under CI: the tests are skipped (under CI the condition has already failed the class). */
    protected final boolean skipping() {
        return !EngineBinaries.underCi() && missing().isPresent();
    }

    @Override
    public final ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = missing();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled(getClass().getSimpleName() + ": present");
        }
        if (EngineBinaries.underCi()) {
            throw new IllegalStateException(missing.get() + "; CI=true, so this is a failure, not a skip");
        }
        if (context.getTestMethod().isEmpty()) {
            // A class (or @Nested class): enabled, so that each of its tests is reported skipped below.
            return ConditionEvaluationResult.enabled(missing.get() + "; its tests are skipped one by one");
        }
        return ConditionEvaluationResult.disabled(missing.get());
    }

    @Override
    public final void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                               ExtensionContext extensionContext) throws Throwable {
        if (skipping()) {
            invocation.skip();
        } else {
            invocation.proceed();
        }
    }
}
