package indices

import (
	"math"
	"testing"
	"time"
)

// likert builds a Sum from answers, each response answering once.
func likert(answers ...int) Sum {
	s := Sum{Respondents: len(answers), Answers: len(answers)}
	for _, a := range answers {
		s.Total += a
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScaleEnds(t *testing.T) {
	for _, c := range []struct{ mean, want float64 }{{1, 0}, {5, 100}, {3, 50}, {2, 25}, {4.2, 80}} {
		if got := Scale(c.mean); !near(got, c.want) {
			t.Errorf("Scale(%v) = %v, want %v", c.mean, got, c.want)
		}
	}
}

// Hand-made numbers: five answers to conflitto 1,2,3,4,5 (mean 3) give 50; awareness pools
// obiettivi and possibilita: 5 responses × 2 answers summing 36 (mean 3.6) give 65.
func TestIndicesByHand(t *testing.T) {
	council := Tally{Respondents: 5, Conflict: likert(1, 2, 3, 4, 5),
		Awareness: Sum{Respondents: 5, Answers: 10, Total: 36}}
	m := Compute(Month{2026, time.May}, 5, council, nil)
	if c := m.Council.Conflict; c.Hidden || !near(c.Value, 50) || c.Respondents != 5 {
		t.Errorf("conflict = %+v, want 50 over 5", c)
	}
	if a := m.Council.Awareness; a.Hidden || !near(a.Value, 65) || a.Respondents != 5 {
		t.Errorf("awareness = %+v, want 65 over 5", a)
	}
	// Everyone answering 1 ("Nessuno") is no conflict at all; everyone 5 the worst.
	if v := Compute(Month{2026, 5}, 3, Tally{Respondents: 3, Conflict: likert(1, 1, 1)}, nil).Council.Conflict.Value; v != 0 {
		t.Errorf("all none = %v, want 0", v)
	}
	if v := Compute(Month{2026, 5}, 3, Tally{Respondents: 3, Conflict: likert(5, 5, 5)}, nil).Council.Conflict.Value; v != 100 {
		t.Errorf("all a lot = %v, want 100", v)
	}
}

// The k rule at its boundary: k−1 responses hide the figure (the count stays), k show it; for
// the council and for a department alike.
func TestKBoundary(t *testing.T) {
	const k = 5
	for _, n := range []int{k - 1, k} {
		answers := make([]int, n)
		for i := range answers {
			answers[i] = 4
		}
		tally := Tally{Respondents: n, Conflict: likert(answers...), Awareness: likert(answers...)}
		// The council has exactly the department's responses: nothing left over.
		m := Compute(Month{2026, 3}, k, tally, []DepartmentTally{{Department{ID: 7, Code: "S1"}, tally}})
		for name, g := range map[string]Group{"council": m.Council, "department": m.Department(7)} {
			for fname, f := range map[string]Figure{"conflict": g.Conflict, "awareness": g.Awareness} {
				if n < k {
					if !f.Hidden || f.Reason != ReasonFewer || f.Respondents != n || f.Value != 0 {
						t.Errorf("%s %s with %d = %+v, want hidden (fewer) with its count", name, fname, n, f)
					}
				} else if f.Hidden || !near(f.Value, 75) || f.Respondents != k {
					t.Errorf("%s %s with %d = %+v, want 75 shown", name, fname, n, f)
				}
			}
		}
	}
}

// k below the floor is raised to 3.
func TestKFloor(t *testing.T) {
	m := Compute(Month{2026, 1}, 1, Tally{Respondents: 2, Conflict: likert(3, 3)}, nil)
	if m.K != 3 || !m.Council.Conflict.Hidden {
		t.Fatalf("k=1: %+v", m)
	}
}

// A department with no kept answers, or a month with none, has nothing to show and says so.
func TestNoData(t *testing.T) {
	m := Compute(Month{2026, 1}, 5, Tally{}, nil)
	if !m.Council.Conflict.Hidden || m.Council.Conflict.Reason != ReasonNone {
		t.Errorf("empty council = %+v", m.Council.Conflict)
	}
	if g := m.Department(99); !g.Conflict.Hidden || g.Conflict.Reason != ReasonNone || g.Awareness.Reason != ReasonNone {
		t.Errorf("absent department = %+v", g)
	}
}

// Council 13 responses, departments A (6) and B (5) shown: 2 left over, whose mean
// council − A − B would give away. The smaller department (B) is hidden, leaving 7 over. With
// 10 left over instead, both stay.
func TestComplementHidesSmallestDepartment(t *testing.T) {
	const k = 5
	a := Tally{Respondents: 6, Conflict: likert(2, 2, 2, 2, 2, 2)}
	b := Tally{Respondents: 5, Conflict: likert(4, 4, 4, 4, 4)}
	council := Tally{Respondents: 13, Conflict: likert(2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 5, 5)}
	m := Compute(Month{2026, 4}, k, council, []DepartmentTally{{Department{2, "B", "Beta"}, b}, {Department{1, "A", "Alfa"}, a}})
	if m.Departments[0].Code != "A" {
		t.Fatalf("departments not sorted by code: %+v", m.Departments)
	}
	if f := m.Department(1).Conflict; f.Hidden {
		t.Errorf("A = %+v, want shown", f)
	}
	if f := m.Department(2).Conflict; !f.Hidden || f.Reason != ReasonComplement || f.Respondents != 5 {
		t.Errorf("B = %+v, want hidden as the complement", f)
	}
	if m.Council.Conflict.Hidden {
		t.Error("council hidden")
	}
	// Awareness had no answers at all: nothing to protect, nothing shown.
	if f := m.Department(1).Awareness; !f.Hidden || f.Reason != ReasonNone {
		t.Errorf("A awareness = %+v", f)
	}

	council.Respondents, council.Conflict = 21, Sum{Respondents: 21, Answers: 21, Total: 63}
	m = Compute(Month{2026, 4}, k, council, []DepartmentTally{{Department{1, "A", "Alfa"}, a}, {Department{2, "B", "Beta"}, b}})
	if m.Department(1).Conflict.Hidden || m.Department(2).Conflict.Hidden {
		t.Errorf("10 left over: %+v", m.Departments)
	}
	// Nothing left over (the departments are the whole council) hides nothing either.
	council = Tally{Respondents: 11, Conflict: Sum{Respondents: 11, Answers: 11, Total: 32}}
	m = Compute(Month{2026, 4}, k, council, []DepartmentTally{{Department{1, "A", "Alfa"}, a}, {Department{2, "B", "Beta"}, b}})
	if m.Department(1).Conflict.Hidden || m.Department(2).Conflict.Hidden {
		t.Errorf("0 left over: %+v", m.Departments)
	}
}

func TestWorsened(t *testing.T) {
	shown := func(v float64) Figure { return Figure{Value: v, Respondents: 5} }
	hidden := Figure{Hidden: true, Reason: ReasonFewer, Respondents: 4}
	for _, c := range []struct {
		before, now Figure
		margin      float64
		want        bool
	}{
		{shown(40), shown(50), 10, true},    // exactly the margin
		{shown(40), shown(49.9), 10, false}, // just below
		{shown(50), shown(40), 10, false},   // better, not worse
		{shown(25), shown(75), 10, true},
		{hidden, shown(90), 10, false}, // before under k
		{shown(10), hidden, 10, false}, // now under k
		// 7 answers: 100/7 steps, a float sum that is not exact.
		{shown(Scale(12.0 / 7)), shown(Scale(12.0/7) + 10), 10, true},
	} {
		if got := Worsened(c.before, c.now, c.margin); got != c.want {
			t.Errorf("Worsened(%+v, %+v, %v) = %v", c.before, c.now, c.margin, got)
		}
	}
}

func TestMonth(t *testing.T) {
	m, err := ParseMonth("2026-01")
	if err != nil || m != (Month{2026, time.January}) {
		t.Fatalf("parse: %v %v", m, err)
	}
	if got := m.Add(-2).String(); got != "2025-11" {
		t.Errorf("Add(-2) = %s", got)
	}
	if got := m.Add(12).String(); got != "2027-01" {
		t.Errorf("Add(12) = %s", got)
	}
	if m.Compare(m.Add(1)) >= 0 || m.Add(1).Compare(m) <= 0 || m.Compare(m) != 0 {
		t.Error("Compare")
	}
	for _, bad := range []string{"2026-13", "2026-1", "26-01", "2026/01", "maggio"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
	if PulseSubject(m) != "pulse:2026-01" {
		t.Error(PulseSubject(m))
	}
	if Round(49.5) != 50 || Round(49.49) != 49 {
		t.Error("Round")
	}
}
