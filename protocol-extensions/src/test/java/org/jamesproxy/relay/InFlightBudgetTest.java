package org.jamesproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class InFlightBudgetTest {
    private final List<String> granted = new ArrayList<>();

    @Test
    void reservationsWithinTheCapacityShouldBeGrantedAtOnce() {
        InFlightBudget budget = new InFlightBudget(100);

        assertThat(budget.reserveOrWait(60, Runnable::run, () -> granted.add("a"))).isTrue();
        assertThat(budget.reserveOrWait(40, Runnable::run, () -> granted.add("b"))).isTrue();

        assertThat(budget.used()).isEqualTo(100);
        assertThat(granted).isEmpty();
    }

    @Test
    void aReservationThatDoesNotFitShouldWaitForReleasesInTurn() {
        InFlightBudget budget = new InFlightBudget(100);
        budget.reserveOrWait(80, Runnable::run, () -> granted.add("first"));

        assertThat(budget.reserveOrWait(50, Runnable::run, () -> granted.add("second"))).isFalse();
        assertThat(budget.reserveOrWait(10, Runnable::run, () -> granted.add("third"))).as("no overtaking").isFalse();
        assertThat(budget.waiting()).isEqualTo(2);

        budget.release(80);

        assertThat(granted).containsExactly("second", "third");
        assertThat(budget.used()).isEqualTo(60);
    }

    @Test
    void aMessageLargerThanTheBudgetShouldStillPassAlone() {
        InFlightBudget budget = new InFlightBudget(100);

        assertThat(budget.reserveOrWait(500, Runnable::run, () -> granted.add("big"))).isTrue();
        assertThat(budget.reserveOrWait(1, Runnable::run, () -> granted.add("small"))).isFalse();

        budget.release(500);

        assertThat(granted).containsExactly("small");
        assertThat(budget.used()).isEqualTo(1);
    }
}
