package org.jamesproxy.policy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.google.common.collect.ImmutableList;

/**
 * When a policy accepts connections: a time zone and windows of days and hours (the seeds' "operating schedule").
 * No window means always. A window whose hours end before they start runs past midnight ({@code 22:00-06:00} on
 * {@code mon} covers Monday 22:00 to Tuesday 06:00).
 */
public final class OperatingSchedule {
    public static final OperatingSchedule ALWAYS = new OperatingSchedule(ZoneId.of("UTC"), ImmutableList.of());

    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
        boolean covers(ZonedDateTime time) {
            LocalTime clock = time.toLocalTime();
            if (!from.isAfter(to)) {
                return days.contains(time.getDayOfWeek()) && !clock.isBefore(from) && clock.isBefore(to);
            }
            // Past midnight: the evening of a listed day, or the morning after one.
            return days.contains(time.getDayOfWeek()) && !clock.isBefore(from)
                || days.contains(time.getDayOfWeek().minus(1)) && clock.isBefore(to);
        }

        /** {@code days}: {@code mon-fri}, {@code sat,sun}, {@code *}; {@code hours}: {@code 08:00-18:00}, {@code *}. */
        public static Window parse(String days, String hours) {
            return new Window(parseDays(days), hours.trim().equals("*") ? LocalTime.MIN : time(hours, 0),
                hours.trim().equals("*") ? LocalTime.MAX : time(hours, 1));
        }

        private static Set<DayOfWeek> parseDays(String text) {
            if (text.trim().equals("*")) {
                return EnumSet.allOf(DayOfWeek.class);
            }
            EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            for (String item : text.split(",")) {
                String[] bounds = item.trim().split("-");
                if (bounds.length > 2 || bounds[0].isBlank()) {
                    throw new IllegalArgumentException("'" + text + "': expected days like mon-fri or sat,sun or *");
                }
                DayOfWeek first = day(bounds[0], text);
                DayOfWeek last = bounds.length == 2 ? day(bounds[1], text) : first;
                for (DayOfWeek day = first; ; day = day.plus(1)) {
                    days.add(day);
                    if (day == last) {
                        break;
                    }
                }
            }
            return days;
        }

        private static DayOfWeek day(String name, String text) {
            String key = name.trim().toLowerCase(Locale.ROOT);
            for (DayOfWeek day : DayOfWeek.values()) {
                String full = day.name().toLowerCase(Locale.ROOT);
                if (key.length() >= 3 && full.startsWith(key)) {
                    return day;
                }
            }
            throw new IllegalArgumentException("'" + text + "': unknown day '" + name.trim() + "' (mon, tue, ... sun)");
        }

        private static LocalTime time(String hours, int index) {
            String[] bounds = hours.trim().split("-");
            if (bounds.length != 2) {
                throw new IllegalArgumentException("'" + hours + "': expected hours like 08:00-18:00 or *");
            }
            String value = bounds[index].trim();
            if (value.equals("24:00") && index == 1) {
                return LocalTime.MAX;
            }
            try {
                return LocalTime.parse(value.length() == 4 ? "0" + value : value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("'" + hours + "': '" + value + "' is not a time of day (HH:mm)");
            }
        }
    }

    private final ZoneId zone;
    private final ImmutableList<Window> windows;

    public OperatingSchedule(ZoneId zone, List<Window> windows) {
        this.zone = zone;
        this.windows = ImmutableList.copyOf(windows);
    }

    public boolean isOpen(Instant now) {
        if (windows.isEmpty()) {
            return true;
        }
        ZonedDateTime local = now.atZone(zone);
        return windows.stream().anyMatch(window -> window.covers(local));
    }

    public boolean isAlways() {
        return windows.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperatingSchedule that && zone.equals(that.zone) && windows.equals(that.windows);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(zone, windows);
    }

    @Override
    public String toString() {
        return windows.isEmpty() ? "always" : windows + " " + zone;
    }
}
