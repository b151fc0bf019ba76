// Package indices defines the conflict index and the awareness index that the monthly pulse
// (the survey template of purpose pulse, shipped as "polso") measures, per department and for
// the whole council, with the k rule. It is pure: the store sums answers per group and month,
// and this package decides what those sums mean and what may be shown. It never sees a
// response, only counts and totals.
//
// Definitions (a Likert answer is 1 to 5):
//
//   - Conflict index: the mean of the answers to "conflitto" ("How much conflict did you
//     perceive at work…", 1 = None, 5 = A lot), rescaled to 0–100 as (mean − 1) × 25.
//     0 means nobody perceived any conflict, 100 that everyone perceived a lot: HIGHER IS
//     WORSE. A department's conflict index "worsens" when it rises.
//   - Awareness index: the mean of all the answers to "obiettivi" (knowing the council's
//     strategic objectives) and "possibilita" (knowing the opportunities it offers), pooled,
//     rescaled the same way. 0 = nobody knows anything, 100 = everyone knows very well: higher
//     is better.
//
// Respondents are counted per response (one person's answer to one month's pulse), not per
// answer. A figure is shown only when at least k responses answered its questions (k is the
// pulse instance's min_respondents, never less than SURVEY_MIN_RESPONDENTS nor 3); the council
// figure likewise. And since the council figure together with the departments' figures would
// let a reader subtract their way to the few responses left over (those whose department was
// not kept, or a hidden department), departments are also hidden, smallest first, until what
// is left over is none or at least k responses (Compute).
package indices

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The pulse's questions the indices read, by key: a template re-versioned keeps its keys, and
// with them the meaning (a re-worded question must keep its direction: 1 = none/not at all).
const (
	QuestionConflict      = "conflitto"
	QuestionObjectives    = "obiettivi"
	QuestionPossibilities = "possibilita"
)

// Likert ends (survey.LikertMin/Max, repeated here to keep the package free of the model).
const (
	likertMin = 1
	likertMax = 5
)

// floorK is the least k there is (survey.MinRespondents).
const floorK = 3

// Scale rescales a Likert mean (1–5) to 0–100.
func Scale(mean float64) float64 { return (mean - likertMin) * 100 / (likertMax - likertMin) }

// Month is a calendar month, the period of a pulse.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns t's month (in t's location).
func MonthOf(t time.Time) Month { return Month{Year: t.Year(), Month: t.Month()} }

// ParseMonth reads "2026-05".
func ParseMonth(s string) (Month, error) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if !ok || len(y) != 4 || len(m) != 2 || err1 != nil || err2 != nil || month < 1 || month > 12 {
		return Month{}, fmt.Errorf("indices: month %q: want YYYY-MM", s)
	}
	return Month{Year: year, Month: time.Month(month)}, nil
}

// String writes the month as "2026-05", as pulse subjects do.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Add returns the month n months later (earlier for n < 0).
func (m Month) Add(n int) Month {
	i := m.Year*12 + int(m.Month) - 1 + n
	return Month{Year: i / 12, Month: time.Month(i%12 + 1)}
}

// Compare orders months: negative when m is before o.
func (m Month) Compare(o Month) int {
	return cmp.Or(cmp.Compare(m.Year, o.Year), cmp.Compare(m.Month, o.Month))
}

// IsZero reports whether m is unset.
func (m Month) IsZero() bool { return m.Year == 0 }

// PulseSubject is the survey instance subject of m's pulse.
func PulseSubject(m Month) string { return "pulse:" + m.String() }

// Sum accumulates one index's Likert answers in a group.
type Sum struct {
	// Respondents counts the responses that answered at least one of the index's questions.
	Respondents int
	// Answers and Total are the number and the sum of the answers (1–5 each).
	Answers, Total int
}

// Tally is what the store sums for one group (a department or the council) in one month.
type Tally struct {
	// Respondents counts the group's responses.
	Respondents int
	Conflict    Sum
	Awareness   Sum
}

// Reason says why a figure is not shown.
type Reason string

// Reasons.
const (
	// Shown: the figure is shown.
	Shown Reason = ""
	// ReasonFewer: fewer than k responses answered it.
	ReasonFewer Reason = "fewer"
	// ReasonComplement: it has k responses, but shown next to the council's and the other
	// departments' figures it would give away the figure of the fewer than k left over.
	ReasonComplement Reason = "complement"
	// ReasonNone: no response at all (no pulse that month, or no answer kept with the
	// department: the department rule keeps it only where at least k of it answered).
	ReasonNone Reason = "none"
)

// Figure is one index of one group in one month.
type Figure struct {
	// Value is 0–100, meaningful only when Hidden is false.
	Value float64
	// Respondents is the number of responses it would be computed over (shown even when the
	// figure is hidden: counts say nothing about anyone's answer).
	Respondents int
	Hidden      bool
	Reason      Reason
}

// figure applies the k rule to s.
func figure(s Sum, k int) Figure {
	switch {
	case s.Respondents == 0 || s.Answers == 0:
		return Figure{Hidden: true, Reason: ReasonNone}
	case s.Respondents < k:
		return Figure{Respondents: s.Respondents, Hidden: true, Reason: ReasonFewer}
	}
	return Figure{Value: Scale(float64(s.Total) / float64(s.Answers)), Respondents: s.Respondents}
}

// Group is the indices of one group in one month.
type Group struct {
	Respondents int
	Conflict    Figure
	Awareness   Figure
}

// Department names a department (the org unit at ORG_DEPARTMENT_TYPE level).
type Department struct {
	ID   int64
	Code string
	Name string
}

// DepartmentTally is a department's tally.
type DepartmentTally struct {
	Department
	Tally
}

// DepartmentIndices is a department's indices.
type DepartmentIndices struct {
	Department
	Group
}

// MonthIndices is one month's indices: the council and the departments whose answers were
// kept with them.
type MonthIndices struct {
	Month Month
	// K is the k applied.
	K int
	// Closed is true when the month's pulse is closed (its figures are final).
	Closed      bool
	Council     Group
	Departments []DepartmentIndices
}

// Department returns the department id's indices; a department without kept answers gets
// hidden figures with ReasonNone.
func (m MonthIndices) Department(id int64) Group {
	for _, d := range m.Departments {
		if d.ID == id {
			return d.Group
		}
	}
	none := Figure{Hidden: true, Reason: ReasonNone}
	return Group{Conflict: none, Awareness: none}
}

// Compute applies the k rule to a month's tallies (k below the floor of 3 is raised to it):
// each figure over fewer than k responses is hidden, and then, figure by figure, departments
// are hidden smallest first while the responses left over — the council's minus those of the
// departments shown — are between 1 and k−1, so that no subtraction reaches fewer than k.
// Hiding on the whole set is enough for any part of it: what is left over from a part is
// what is left over from the whole plus shown departments, each of at least k. Departments
// come out sorted by code.
func Compute(m Month, k int, council Tally, depts []DepartmentTally) MonthIndices {
	k = max(k, floorK)
	out := MonthIndices{Month: m, K: k, Council: group(council, k)}
	for _, d := range depts {
		out.Departments = append(out.Departments, DepartmentIndices{Department: d.Department, Group: group(d.Tally, k)})
	}
	slices.SortFunc(out.Departments, func(a, b DepartmentIndices) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), cmp.Compare(a.ID, b.ID))
	})
	complement(out.Council.Conflict, out.Departments, k, func(g *Group) *Figure { return &g.Conflict })
	complement(out.Council.Awareness, out.Departments, k, func(g *Group) *Figure { return &g.Awareness })
	return out
}

func group(t Tally, k int) Group {
	return Group{Respondents: t.Respondents, Conflict: figure(t.Conflict, k), Awareness: figure(t.Awareness, k)}
}

// complement hides departments' figures (the one pick selects) until the council's
// respondents left over are 0 or at least k. A hidden council figure gives nothing away.
func complement(council Figure, depts []DepartmentIndices, k int, pick func(*Group) *Figure) {
	if council.Hidden {
		return
	}
	for {
		left, smallest := council.Respondents, -1
		for i := range depts {
			f := pick(&depts[i].Group)
			if f.Hidden {
				continue
			}
			left -= f.Respondents
			if smallest < 0 || f.Respondents < pick(&depts[smallest].Group).Respondents {
				smallest = i
			}
		}
		if left <= 0 || left >= k || smallest < 0 {
			return
		}
		f := pick(&depts[smallest].Group)
		f.Hidden, f.Reason, f.Value = true, ReasonComplement, 0
	}
}

// epsilon absorbs floating-point noise in comparisons of index points.
const epsilon = 1e-9

// Worsened reports whether a conflict index rose by at least margin index points from before
// to now, both figures shown (under the k rule). Higher conflict is worse.
func Worsened(before, now Figure, margin float64) bool {
	return !before.Hidden && !now.Hidden && now.Value-before.Value >= margin-epsilon
}

// NoticeGap is how many months apart the figures compared for a worsening are: the latest
// closed pulse against the one two months before it.
const NoticeGap = 2

// Round gives a figure's value as shown: whole index points.
func Round(v float64) int {
	if v < 0 {
		return -int(-v + 0.5)
	}
	return int(v + 0.5)
}

// Query asks for the indices of the months From..To, both included.
type Query struct {
	From, To Month
	// ClosedOnly leaves out pulses still open (their figures may still change).
	ClosedOnly bool
}
