package org.jamesproxy.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TypedValuesTest {
    private enum Mode { PASS, REPLACE }

    @Test
    void textShouldTrimAndTreatBlankAsAbsent() {
        assertThat(TypedValues.text("  64K ")).contains("64K");
        assertThat(TypedValues.text("   ")).isEmpty();
        assertThat(TypedValues.text(null)).isEmpty();
    }

    @Test
    void boolShouldAcceptTrueYesFalseNoInAnyCase() throws Exception {
        assertThat(TypedValues.bool("TRUE")).isTrue();
        assertThat(TypedValues.bool("yes")).isTrue();
        assertThat(TypedValues.bool("False")).isFalse();
        assertThat(TypedValues.bool("no")).isFalse();
        assertThatThrownBy(() -> TypedValues.bool("maybe"))
            .isInstanceOf(InvalidValueException.class)
            .hasMessage("invalid value 'maybe': expected true or false");
    }

    @Test
    void integerShouldEnforceItsBounds() throws Exception {
        assertThat(TypedValues.integer("7", 1, 10)).isEqualTo(7);
        assertThatThrownBy(() -> TypedValues.integer("11", 1, 10))
            .isInstanceOf(InvalidValueException.class)
            .hasMessage("invalid value '11': expected a whole number from 1 to 10");
        assertThatThrownBy(() -> TypedValues.integer("ten", 1, 10))
            .hasMessage("invalid value 'ten': expected a whole number from 1 to 10");
    }

    @Test
    void sizeShouldFollowJamesSizeWithPowersOf1024() throws Exception {
        assertThat(TypedValues.size("512")).isEqualTo(512);
        assertThat(TypedValues.size("64K")).isEqualTo(64 * 1024);
        assertThat(TypedValues.size("25m")).isEqualTo(25L * 1024 * 1024);
        assertThat(TypedValues.size("2G")).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(TypedValues.size("64 M")).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void sizeShouldRejectWhatIsNotAPositiveSize() {
        assertThatThrownBy(() -> TypedValues.size("lots"))
            .isInstanceOf(InvalidValueException.class)
            .satisfies(e -> assertThat(((InvalidValueException) e).getValue()).isEqualTo("lots"))
            .hasMessageContaining("expected a size such as");
        assertThatThrownBy(() -> TypedValues.size("0")).hasMessageContaining("expected a positive size");
        assertThatThrownBy(() -> TypedValues.size("unlimited")).hasMessageContaining("expected a positive size");
        assertThatThrownBy(() -> TypedValues.size("9223372036854775807G")).hasMessageContaining("too large");
    }

    @Test
    void durationShouldDefaultToSecondsAndBePositive() throws Exception {
        assertThat(TypedValues.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(TypedValues.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(TypedValues.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> TypedValues.duration("0s")).hasMessageContaining("expected a positive duration");
        assertThatThrownBy(() -> TypedValues.duration("soon")).hasMessageContaining("expected a duration such as");
    }

    @Test
    void decimalShouldBeFinite() throws Exception {
        assertThat(TypedValues.decimal("5.5")).isEqualTo(5.5);
        assertThatThrownBy(() -> TypedValues.decimal("NaN")).hasMessageContaining("expected a finite number");
        assertThatThrownBy(() -> TypedValues.decimal("five")).hasMessageContaining("expected a number");
    }

    @Test
    void enumValueShouldMatchTheLowerCaseNameAndListTheChoices() throws Exception {
        assertThat(TypedValues.enumValue("Replace", Mode.class)).isEqualTo(Mode.REPLACE);
        assertThatThrownBy(() -> TypedValues.enumValue("sometimes", Mode.class))
            .hasMessage("invalid value 'sometimes': expected one of pass, replace");
    }
}
