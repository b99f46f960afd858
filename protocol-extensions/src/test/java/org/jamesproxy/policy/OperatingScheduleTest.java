package org.jamesproxy.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;

class OperatingScheduleTest {
    @Test
    void officeHoursShouldBeReadInTheScheduleTimeZone() {
        OperatingSchedule schedule = new OperatingSchedule(ZoneId.of("Europe/Paris"),
            List.of(OperatingSchedule.Window.parse("mon-fri", "08:00-18:00")));

        assertThat(schedule.isOpen(Instant.parse("2026-12-07T07:30:00Z"))).as("Monday 08:30 Paris").isTrue();
        assertThat(schedule.isOpen(Instant.parse("2026-12-07T06:30:00Z"))).as("Monday 07:30 Paris").isFalse();
        assertThat(schedule.isOpen(Instant.parse("2026-12-06T12:00:00Z"))).as("Sunday").isFalse();
    }

    @Test
    void aWindowPastMidnightShouldCoverTheNextMorning() {
        OperatingSchedule schedule = new OperatingSchedule(ZoneId.of("UTC"), List.of(OperatingSchedule.Window.parse("fri", "22:00-06:00")));

        assertThat(schedule.isOpen(Instant.parse("2026-12-11T23:00:00Z"))).as("Friday 23:00").isTrue();
        assertThat(schedule.isOpen(Instant.parse("2026-12-12T05:59:00Z"))).as("Saturday 05:59").isTrue();
        assertThat(schedule.isOpen(Instant.parse("2026-12-12T06:00:00Z"))).as("Saturday 06:00").isFalse();
        assertThat(schedule.isOpen(Instant.parse("2026-12-11T05:00:00Z"))).as("Friday 05:00").isFalse();
    }

    @Test
    void malformedWindowsShouldSayWhatWasExpected() {
        assertThatThrownBy(() -> OperatingSchedule.Window.parse("mon-fry", "08:00-18:00")).hasMessageContaining("unknown day 'fry'");
        assertThatThrownBy(() -> OperatingSchedule.Window.parse("mon", "8-18")).hasMessageContaining("not a time of day");
        assertThatThrownBy(() -> OperatingSchedule.Window.parse("mon", "08:00")).hasMessageContaining("08:00-18:00");
    }
}
