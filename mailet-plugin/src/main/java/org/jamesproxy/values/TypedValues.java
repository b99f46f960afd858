package org.jamesproxy.values;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.james.util.DurationParser;
import org.apache.james.util.Size;

import com.google.common.math.LongMath;

/**
 * Text to typed value, the one parser behind conf/mailproxy.xml ({@code org.jamesproxy.config.ConfigValues}) and the
 * mailet parameters ({@code org.jamesproxy.mailet.action.MailetParameters}), so that a size, a duration or a flag
 * means the same in both places. Each method takes the trimmed, non-blank text ({@link #text(String)}) and throws an
 * {@link InvalidValueException} with the value and the expectation; the caller adds where the value came from.
 * <ul>
 *   <li>booleans: {@code true}/{@code yes}, {@code false}/{@code no}, any case;</li>
 *   <li>sizes as James writes them ({@link Size}): {@code 1048576}, {@code 512K}, {@code 64M}, {@code 1G} (powers of
 *       1024, any case, a space before the unit is allowed), positive;</li>
 *   <li>durations as James writes them ({@link DurationParser}): {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h};
 *       a bare number is seconds; positive;</li>
 *   <li>enums by their lower-case constant name.</li>
 * </ul>
 */
public final class TypedValues {
    private TypedValues() {
    }

    /** The trimmed text, or empty when it is absent or blank: a blank value counts as absent everywhere. */
    public static Optional<String> text(String raw) {
        return Optional.ofNullable(raw).map(String::trim).filter(value -> !value.isEmpty());
    }

    public static boolean bool(String value) throws InvalidValueException {
        switch (value.toLowerCase(Locale.US)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw new InvalidValueException(value, "expected true or false");
        }
    }

    public static int integer(String value, int min, int max) throws InvalidValueException {
        String expectation = "expected a whole number from " + min + " to " + max;
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidValueException(value, expectation);
        }
        if (parsed < min || parsed > max) {
            throw new InvalidValueException(value, expectation);
        }
        return parsed;
    }

    /** A positive number of bytes. */
    public static long size(String value) throws InvalidValueException {
        Size size;
        try {
            // "64 M" was accepted by the mailets' own reader: keep it, Size wants "64M".
            size = Size.parse(value.replaceFirst("^(\\d+)\\s+(?=[A-Za-z]$)", "$1"));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new InvalidValueException(value, "expected a size such as 1048576, 64K or 25M");
        }
        if (size.getValue() <= 0) {
            throw new InvalidValueException(value, "expected a positive size such as 64K or 25M");
        }
        try {
            return LongMath.checkedMultiply(size.getValue(), Size.of(1L, size.getUnit()).asBytes());
        } catch (ArithmeticException e) {
            throw new InvalidValueException(value, "too large a size");
        }
    }

    /** A positive duration; a bare number is seconds. */
    public static Duration duration(String value) throws InvalidValueException {
        Duration parsed;
        try {
            parsed = DurationParser.parse(value, ChronoUnit.SECONDS);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidValueException(value, "expected a duration such as 500ms, 30s or 10m");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new InvalidValueException(value, "expected a positive duration such as 30s or 10m");
        }
        return parsed;
    }

    /** A finite decimal number. */
    public static double decimal(String value) throws InvalidValueException {
        double parsed;
        try {
            parsed = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new InvalidValueException(value, "expected a number");
        }
        if (Double.isNaN(parsed) || Double.isInfinite(parsed)) {
            throw new InvalidValueException(value, "expected a finite number");
        }
        return parsed;
    }

    /** The constant whose lower-case name is the value, ignoring case. */
    public static <E extends Enum<E>> E enumValue(String value, Class<E> type) throws InvalidValueException {
        for (E constant : type.getEnumConstants()) {
            if (lowerCaseName(constant).equals(value.toLowerCase(Locale.US))) {
                return constant;
            }
        }
        throw new InvalidValueException(value, "expected one of " + Arrays.stream(type.getEnumConstants())
            .map(TypedValues::lowerCaseName)
            .collect(Collectors.joining(", ")));
    }

    private static String lowerCaseName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.US);
    }
}
