package projectdesign

import (
	"fmt"
	"math"
	"strings"
)

// Kind says what an indicator measures: an output (what the project produced, e.g. "counters
// opened") or an outcome (the effect on citizens, e.g. "average waiting time"). The seed asks
// for both, evaluated internally and externally.
type Kind string

// The indicator kinds.
const (
	Output  Kind = "output"
	Outcome Kind = "outcome"
)

// Direction says which way an indicator improves.
type Direction string

// The directions: Up when more is better (e.g. users served), Down when less is better (e.g.
// waiting days).
const (
	Up   Direction = "up"
	Down Direction = "down"
)

// Progress is how far latest has gone from baseline towards target, as a fraction of the way:
// (latest−baseline)/(target−baseline) for Up, (baseline−latest)/(baseline−target) for Down (the
// same number, written so that both read as "gain over planned gain"). The fraction is not
// clamped, because overshooting (> 1) and regressing (< 0) are news the card should show; use
// Clamp01 for a bar.
//
// ok is false when no meaningful fraction exists: target equal to baseline (nothing to gain,
// division by zero), a target on the wrong side of the baseline for the direction (Up with
// target < baseline, Down with target > baseline), an unknown direction, or a non-finite value.
// A wrong-side target is refused rather than computed because the formula would then call a
// worsening "progress"; ValidateIndicator refuses such indicators when they are created, so this
// only guards data that bypassed it.
//
// Values outside ValidValue (stored before it was enforced) give ok false too: with them the
// differences can overflow to ±Inf and their ratio to NaN, or a subnormal target make any
// measurement "+Inf%". For values ValidValue accepts, the fraction is always finite: the
// differences are at most 2·MaxMagnitude, and two different accepted values differ by at least
// one ulp of a number no smaller than 10^-MaxDecimals (about 2·10^-22), so |fraction| < 10^35.
func Progress(baseline, target, latest float64, direction Direction) (fraction float64, ok bool) {
	if !ValidValue(baseline) || !ValidValue(target) || !ValidValue(latest) {
		return 0, false
	}
	switch direction {
	case Up:
		if target <= baseline {
			return 0, false
		}
		fraction = (latest - baseline) / (target - baseline)
	case Down:
		if target >= baseline {
			return 0, false
		}
		fraction = (baseline - latest) / (baseline - target)
	default:
		return 0, false
	}
	if !finite(fraction) {
		return 0, false // unreachable for valid values; a guard, never NaN on a card
	}
	return fraction, true
}

// The numbers an indicator accepts (baseline, target, measurements): at most MaxMagnitude in
// absolute value, with at most MaxDecimals decimals. Real indicators (citizens served, days of
// waiting, euros, percentages) fit with room to spare; beyond, the numbers are typing slips or
// probes, and the arithmetic on them overflows (1e308 − (−1e308) is +Inf) or divides by a
// subnormal (a target of 1e-320 makes any progress +Inf). The messages
// project.indicator.error.out_of_range and project.error.indicator_value quote these bounds.
const (
	MaxMagnitude = 1e12
	MaxDecimals  = 6
)

// ValidValue reports whether v may be an indicator's baseline, target or measurement: finite,
// |v| ≤ MaxMagnitude, and a whole number of millionths (so no value is closer to zero than
// 0.000001 without being zero, and two different values differ by at least that much).
func ValidValue(v float64) bool {
	if !finite(v) || math.Abs(v) > MaxMagnitude {
		return false
	}
	scaled := v * math.Pow10(MaxDecimals)
	whole := math.Round(scaled)
	if whole == 0 {
		return v == 0
	}
	// Decimal input is not exact in binary ("0.3" is 0.299999…): allow the representation's
	// error, a few ulps of scaled, and no more.
	return math.Abs(scaled-whole) <= math.Abs(scaled)*0x1p-49
}

// Clamp01 bounds a progress fraction to [0, 1] for drawing a bar; NaN becomes 0 so that a bar is
// never drawn from garbage.
func Clamp01(f float64) float64 {
	switch {
	case math.IsNaN(f) || f < 0:
		return 0
	case f > 1:
		return 1
	}
	return f
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Reasons an indicator is refused.
const (
	ReasonUnknownKind      = "unknown_kind"
	ReasonUnknownDirection = "unknown_direction"
	ReasonNotFinite        = "not_finite"
	ReasonOutOfRange       = "out_of_range"
	ReasonEqualsBaseline   = "equals_baseline"
	ReasonWrongSide        = "wrong_side"
)

// IndicatorError names the field of an indicator that is invalid and why, so that a modal can
// mark that field rather than the whole form.
type IndicatorError struct {
	Field  string // "kind", "direction", "baseline" or "target"
	Reason string // one of the indicator Reason constants
}

// Error implements error.
func (e *IndicatorError) Error() string {
	return fmt.Sprintf("projectdesign: indicator %s: %s", e.Field, e.Reason)
}

// ParseKind maps "output"/"outcome" (any case, surrounding blanks ignored) onto a Kind.
func ParseKind(s string) (Kind, bool) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case Output, Outcome:
		return k, true
	}
	return "", false
}

// ParseDirection maps "up"/"down" (any case, surrounding blanks ignored) onto a Direction.
func ParseDirection(s string) (Direction, bool) {
	switch d := Direction(strings.ToLower(strings.TrimSpace(s))); d {
	case Up, Down:
		return d, true
	}
	return "", false
}

// ValidateIndicator checks an indicator's definition before it is stored: a known kind and
// direction, finite numbers within ValidValue's bounds, and a target that differs from the baseline on the side the
// direction calls better. It is exactly the condition under which Progress returns ok, so that
// every stored indicator can show progress. Fields are checked in form order and the first
// problem is returned as *IndicatorError.
func ValidateIndicator(kind, direction string, baseline, target float64) error {
	if _, ok := ParseKind(kind); !ok {
		return &IndicatorError{Field: "kind", Reason: ReasonUnknownKind}
	}
	dir, ok := ParseDirection(direction)
	if !ok {
		return &IndicatorError{Field: "direction", Reason: ReasonUnknownDirection}
	}
	if !finite(baseline) {
		return &IndicatorError{Field: "baseline", Reason: ReasonNotFinite}
	}
	if !finite(target) {
		return &IndicatorError{Field: "target", Reason: ReasonNotFinite}
	}
	if !ValidValue(baseline) {
		return &IndicatorError{Field: "baseline", Reason: ReasonOutOfRange}
	}
	if !ValidValue(target) {
		return &IndicatorError{Field: "target", Reason: ReasonOutOfRange}
	}
	if target == baseline {
		return &IndicatorError{Field: "target", Reason: ReasonEqualsBaseline}
	}
	if (dir == Up && target < baseline) || (dir == Down && target > baseline) {
		return &IndicatorError{Field: "target", Reason: ReasonWrongSide}
	}
	return nil
}
