package projectdesign

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestProgress(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                     string
		baseline, target, latest float64
		dir                      Direction
		want                     float64
		ok                       bool
	}{
		{"up halfway", 10, 20, 15, Up, 0.5, true},
		{"up at baseline", 10, 20, 10, Up, 0, true},
		{"up reached", 10, 20, 20, Up, 1, true},
		{"up overshoot", 10, 20, 25, Up, 1.5, true},
		{"up regression", 10, 20, 5, Up, -0.5, true},
		{"up from negative baseline", -4, 4, 0, Up, 0.5, true},
		{"down halfway", 30, 10, 20, Down, 0.5, true},
		{"down reached", 30, 10, 10, Down, 1, true},
		{"down overshoot", 30, 10, 0, Down, 1.5, true},
		{"down regression", 30, 10, 40, Down, -0.5, true},
		{"up target equals baseline", 10, 10, 12, Up, 0, false},
		{"down target equals baseline", 10, 10, 8, Down, 0, false},
		{"up with target below baseline", 20, 10, 15, Up, 0, false},
		{"down with target above baseline", 10, 20, 15, Down, 0, false},
		{"unknown direction", 10, 20, 15, Direction("sideways"), 0, false},
		{"NaN latest", 10, 20, math.NaN(), Up, 0, false},
		{"infinite target", 10, math.Inf(1), 15, Up, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Progress(tc.baseline, tc.target, tc.latest, tc.dir)
			if ok != tc.ok || !near(got, tc.want) {
				t.Fatalf("Progress(%v, %v, %v, %s) = %v, %v; want %v, %v", tc.baseline, tc.target, tc.latest, tc.dir, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClamp01(t *testing.T) {
	t.Parallel()
	cases := map[float64]float64{-0.5: 0, 0: 0, 0.25: 0.25, 1: 1, 1.5: 1, math.Inf(1): 1, math.Inf(-1): 0}
	for in, want := range cases {
		if got := Clamp01(in); got != want {
			t.Errorf("Clamp01(%v) = %v, want %v", in, got, want)
		}
	}
	if got := Clamp01(math.NaN()); got != 0 {
		t.Errorf("Clamp01(NaN) = %v, want 0", got)
	}
}

func TestValidateIndicator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name             string
		kind, direction  string
		baseline, target float64
		field, reason    string // empty: valid
	}{
		{"output up", "output", "up", 0, 100, "", ""},
		{"outcome down", "outcome", "down", 30, 10, "", ""},
		{"case and blanks are forgiven", " Outcome ", "DOWN", 30, 10, "", ""},
		{"unknown kind", "impact", "up", 0, 1, "kind", ReasonUnknownKind},
		{"empty kind", "", "up", 0, 1, "kind", ReasonUnknownKind},
		{"unknown direction", "output", "sideways", 0, 1, "direction", ReasonUnknownDirection},
		{"empty direction", "output", "", 0, 1, "direction", ReasonUnknownDirection},
		{"NaN baseline", "output", "up", math.NaN(), 1, "baseline", ReasonNotFinite},
		{"infinite target", "output", "up", 0, math.Inf(1), "target", ReasonNotFinite},
		{"target equals baseline", "output", "up", 5, 5, "target", ReasonEqualsBaseline},
		{"up with target below baseline", "outcome", "up", 5, 4, "target", ReasonWrongSide},
		{"down with target above baseline", "outcome", "down", 5, 6, "target", ReasonWrongSide},
		{"kind is checked first", "x", "x", math.NaN(), math.NaN(), "kind", ReasonUnknownKind},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateIndicator(tc.kind, tc.direction, tc.baseline, tc.target)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				// A valid indicator always yields a progress fraction.
				d, _ := ParseDirection(tc.direction)
				if _, ok := Progress(tc.baseline, tc.target, tc.baseline, d); !ok {
					t.Fatal("a valid indicator should always give progress")
				}
				return
			}
			var ie *IndicatorError
			if !errors.As(err, &ie) {
				t.Fatalf("want *IndicatorError, got %v", err)
			}
			if ie.Field != tc.field || ie.Reason != tc.reason {
				t.Fatalf("got {%s %s}, want {%s %s}", ie.Field, ie.Reason, tc.field, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("message %q should name the field", err.Error())
			}
		})
	}
}

func TestParseKindAndDirection(t *testing.T) {
	t.Parallel()
	if k, ok := ParseKind("OUTPUT"); !ok || k != Output {
		t.Errorf("ParseKind(OUTPUT) = %q, %v", k, ok)
	}
	if k, ok := ParseKind("outcomes"); ok || k != "" {
		t.Errorf("ParseKind(outcomes) = %q, %v", k, ok)
	}
	if d, ok := ParseDirection(" down "); !ok || d != Down {
		t.Errorf("ParseDirection(down) = %q, %v", d, ok)
	}
	if d, ok := ParseDirection("giù"); ok || d != "" {
		t.Errorf("ParseDirection(giù) = %q, %v", d, ok)
	}
}

func TestValidValue(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{0, 1, -1, 0.3, 0.1 + 0.2, 12.5, 0.000001, -0.000001, 123456.123456, 999999.999999,
		1e12, -1e12, 123456789012.5, 4e9 + 0.25, 0.07, 1234.56} {
		if !ValidValue(v) {
			t.Errorf("ValidValue(%v) = false", v)
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e308, -1e308, 1e12 + 1, 1e-320, 5e-324, -1e-320,
		1e-7, 1e-9, 0.0000005, 0.1234567, 1 + 1e-12, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		if ValidValue(v) {
			t.Errorf("ValidValue(%v) = true", v)
		}
	}
}

// TestValidateIndicatorRefusesAbsurdMagnitudes: the numbers that made a card show "da -Inf x a
// +Inf x", "NaN%" and "+Inf%" are refused, naming the field.
func TestValidateIndicatorRefusesAbsurdMagnitudes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		baseline, target float64
		field            string
	}{
		{-1e308, 1e308, "baseline"},
		{0, 1e308, "target"},
		{0, 1e-320, "target"},
		{1e-320, 1, "baseline"},
		{0, 0.1234567, "target"},
		{0, MaxMagnitude * 10, "target"},
	} {
		err := ValidateIndicator("output", "up", tc.baseline, tc.target)
		var ie *IndicatorError
		if !errors.As(err, &ie) || ie.Field != tc.field || ie.Reason != ReasonOutOfRange {
			t.Errorf("ValidateIndicator(%v, %v) = %v, want %s out of range", tc.baseline, tc.target, err, tc.field)
		}
	}
}

// TestProgressIsFiniteForAcceptedValues: whatever baseline, target and measurement pass
// ValidateIndicator and ValidValue, Progress is ok and finite; the extremes are tried, then many
// random values of every magnitude.
func TestProgressIsFiniteForAcceptedValues(t *testing.T) {
	t.Parallel()
	extremes := []float64{-MaxMagnitude, -1, -0.000001, 0, 0.000001, 0.000002, 1, 1 + 0.000001, MaxMagnitude - 0.5,
		MaxMagnitude, math.Nextafter(MaxMagnitude, 0), 123456789012.5, math.Nextafter(123456789012.5, 0)}
	check := func(b, tg, m float64) {
		for _, dir := range []string{"up", "down"} {
			if ValidateIndicator("outcome", dir, b, tg) != nil || !ValidValue(m) {
				continue
			}
			f, ok := Progress(b, tg, m, Direction(dir))
			if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.IsInf(math.Round(f*100), 0) {
				t.Fatalf("Progress(%v, %v, %v, %s) = %v, %v", b, tg, m, dir, f, ok)
			}
		}
	}
	for _, b := range extremes {
		for _, tg := range extremes {
			for _, m := range extremes {
				check(b, tg, m)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() float64 {
		// A whole number of millionths of any magnitude up to the bound.
		exp := rng.IntN(19) - 6
		v := math.Round(rng.Float64()*math.Pow10(exp)*1e6) / 1e6
		if rng.IntN(2) == 0 {
			v = -v
		}
		return min(max(v, -MaxMagnitude), MaxMagnitude)
	}
	for range 100_000 {
		check(random(), random(), random())
	}
	// Values stored before the bounds existed never give NaN or ±Inf either.
	for _, tc := range [][3]float64{{-1e308, 1e308, 1e308}, {0, 1e-320, 1}, {0, 1, 1e308}} {
		if f, ok := Progress(tc[0], tc[1], tc[2], Up); ok {
			t.Errorf("Progress(%v) = %v, ok; want no fraction", tc, f)
		}
	}
}
