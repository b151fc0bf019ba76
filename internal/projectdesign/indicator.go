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
func Progress(baseline, target, latest float64, direction Direction) (fraction float64, ok bool) {
	if !finite(baseline) || !finite(target) || !finite(latest) {
		return 0, false
	}
	switch direction {
	case Up:
		if target <= baseline {
			return 0, false
		}
		return (latest - baseline) / (target - baseline), true
	case Down:
		if target >= baseline {
			return 0, false
		}
		return (baseline - latest) / (baseline - target), true
	}
	return 0, false
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
// direction, finite numbers, and a target that differs from the baseline on the side the
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
	if target == baseline {
		return &IndicatorError{Field: "target", Reason: ReasonEqualsBaseline}
	}
	if (dir == Up && target < baseline) || (dir == Down && target > baseline) {
		return &IndicatorError{Field: "target", Reason: ReasonWrongSide}
	}
	return nil
}
