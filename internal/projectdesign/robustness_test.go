package projectdesign

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) < eps }

// answersFor builds answers for a dimension's questions in form order from scores (0 = skip).
func answersFor(d Dimension, scores ...int) []Answer {
	var out []Answer
	i := 0
	for _, q := range Questions() {
		if q.Dimension != d {
			continue
		}
		if i < len(scores) && scores[i] != 0 {
			out = append(out, Answer{Code: q.Code, Score: scores[i], Justification: "because " + q.Code})
		}
		i++
	}
	return out
}

func join(parts ...[]Answer) []Answer {
	var out []Answer
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func lowCodes(l []ScoredAnswer) []string {
	var out []string
	for _, s := range l {
		out = append(out, s.Question.Code)
	}
	return out
}

func TestQuestionSet(t *testing.T) {
	t.Parallel()
	qs := Questions()
	if len(qs) != 12 {
		t.Fatalf("want 12 questions, got %d", len(qs))
	}
	per := map[Dimension]int{}
	seen := map[string]bool{}
	for _, q := range qs {
		per[q.Dimension]++
		if seen[q.Code] {
			t.Errorf("duplicate code %s", q.Code)
		}
		seen[q.Code] = true
		if q.Key != "robustness.q."+q.Code || q.HintKey() != q.Key+".hint" {
			t.Errorf("question %s has key %q / hint %q", q.Code, q.Key, q.HintKey())
		}
		if got, ok := Lookup(q.Code); !ok || got != q {
			t.Errorf("Lookup(%s) = %v, %v", q.Code, got, ok)
		}
	}
	if !reflect.DeepEqual(Dimensions(), []Dimension{Organizzativa, Economica, CostiBenefici}) {
		t.Fatalf("dimensions: %v", Dimensions())
	}
	for _, d := range Dimensions() {
		if per[d] != 4 {
			t.Errorf("dimension %s has %d questions, want 4", d, per[d])
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup of an unknown code succeeded")
	}
	// Callers get copies: altering them must not alter the package's set.
	qs[0].Code = "changed"
	Dimensions()[0] = "changed"
	if Questions()[0].Code != "org.staff" || Dimensions()[0] != Organizzativa {
		t.Fatal("Questions/Dimensions leak the package's slices")
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	type dimWant struct {
		index    float64
		answered int
		flagged  bool
		low      []string
	}
	cases := []struct {
		name     string
		answers  []Answer
		index    float64
		answered int
		complete bool
		flagged  []Dimension
		dims     map[Dimension]dimWant
	}{
		{
			name: "brief example: org 4s, eco 2,3,2,5, cb 1,2,4,2",
			answers: join(
				answersFor(Organizzativa, 4, 4, 4, 4),
				answersFor(Economica, 2, 3, 2, 5),
				answersFor(CostiBenefici, 1, 2, 4, 2),
			),
			index:    (4 + 3 + 2.25) / 3.0,
			answered: 12,
			complete: true,
			flagged:  []Dimension{CostiBenefici},
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 4, answered: 4},
				Economica:     {index: 3, answered: 4}, // exactly the threshold: not flagged, no low list
				CostiBenefici: {index: 2.25, answered: 4, flagged: true, low: []string{"cb.benefits", "cb.proportion", "cb.lasting"}},
			},
		},
		{
			name: "ties keep question order, lowest first",
			answers: join(
				answersFor(Organizzativa, 2, 1, 2, 1),
				answersFor(Economica, 5, 5, 5, 5),
				answersFor(CostiBenefici, 3, 3, 3, 3),
			),
			index:    (1.5 + 5 + 3) / 3.0,
			answered: 12,
			complete: true,
			flagged:  []Dimension{Organizzativa},
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 1.5, answered: 4, flagged: true, low: []string{"org.procedures", "org.risks", "org.staff", "org.roles"}},
				Economica:     {index: 5, answered: 4},
				CostiBenefici: {index: 3, answered: 4},
			},
		},
		{
			name: "answer order does not matter",
			answers: []Answer{
				{Code: "cb.lasting", Score: 2}, {Code: "org.staff", Score: 5}, {Code: "cb.benefits", Score: 1},
				{Code: "cb.reach", Score: 2}, {Code: "cb.proportion", Score: 4},
			},
			index:    (5 + 2.25) / 2.0,
			answered: 5,
			flagged:  []Dimension{CostiBenefici},
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 5, answered: 1},
				Economica:     {},
				CostiBenefici: {index: 2.25, answered: 4, flagged: true, low: []string{"cb.benefits", "cb.reach", "cb.lasting"}},
			},
		},
		{
			name: "incomplete: overall is the mean of the rated dimensions only",
			answers: join(
				answersFor(Organizzativa, 4, 0, 2, 0),
				answersFor(Economica, 0, 0, 0, 5),
			),
			index:    (3 + 5) / 2.0,
			answered: 3,
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 3, answered: 2},
				Economica:     {index: 5, answered: 1},
				CostiBenefici: {},
			},
		},
		{
			name: "incomplete: a partial dimension can be flagged",
			answers: join(
				answersFor(Organizzativa, 1, 2, 0, 0),
			),
			index:    1.5,
			answered: 2,
			flagged:  []Dimension{Organizzativa},
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 1.5, answered: 2, flagged: true, low: []string{"org.staff", "org.procedures"}},
				Economica:     {},
				CostiBenefici: {},
			},
		},
		{
			name:    "no answers: nothing rated, nothing flagged",
			answers: nil,
			dims: map[Dimension]dimWant{
				Organizzativa: {}, Economica: {}, CostiBenefici: {},
			},
		},
		{
			name: "equal weight per dimension, not per question",
			answers: join(
				answersFor(Organizzativa, 5, 5, 5, 5),
				answersFor(Economica, 1, 0, 0, 0),
			),
			index:    3, // per question it would be 4.2
			answered: 5,
			flagged:  []Dimension{Economica},
			dims: map[Dimension]dimWant{
				Organizzativa: {index: 5, answered: 4},
				Economica:     {index: 1, answered: 1, flagged: true, low: []string{"eco.funding"}},
				CostiBenefici: {},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Assess(tc.answers)
			if err != nil {
				t.Fatalf("Assess: %v", err)
			}
			if !near(r.Index, tc.index) || r.Answered != tc.answered || r.Complete != tc.complete || r.Rated() != (tc.answered > 0) {
				t.Errorf("index %v answered %d complete %v rated %v; want %v %d %v", r.Index, r.Answered, r.Complete, r.Rated(), tc.index, tc.answered, tc.complete)
			}
			if !reflect.DeepEqual(r.Flagged(), tc.flagged) {
				t.Errorf("flagged %v, want %v", r.Flagged(), tc.flagged)
			}
			if len(r.Dimensions) != 3 {
				t.Fatalf("want 3 dimension results, got %d", len(r.Dimensions))
			}
			for i, d := range Dimensions() {
				dr, want := r.Dimensions[i], tc.dims[d]
				if dr.Dimension != d || r.Dimension(d).Dimension != d {
					t.Fatalf("dimension %d is %s, want %s", i, dr.Dimension, d)
				}
				if !near(dr.Index, want.index) || dr.Answered != want.answered || dr.Questions != 4 || dr.Flagged != want.flagged {
					t.Errorf("%s: index %v answered %d/%d flagged %v; want %v %d/4 %v", d, dr.Index, dr.Answered, dr.Questions, dr.Flagged, want.index, want.answered, want.flagged)
				}
				if got := lowCodes(dr.Low); !reflect.DeepEqual(got, want.low) {
					t.Errorf("%s: low %v, want %v", d, got, want.low)
				}
			}
		})
	}
}

func TestAssessLowCarriesScoreAndJustification(t *testing.T) {
	t.Parallel()
	r, err := Assess([]Answer{
		{Code: "cb.benefits", Score: 2, Justification: "  nessun indicatore  "},
		{Code: "cb.reach", Score: 1, Justification: "pochi utenti"},
	})
	if err != nil {
		t.Fatal(err)
	}
	low := r.Dimension(CostiBenefici).Low
	want := []ScoredAnswer{
		{Question: Question{Dimension: CostiBenefici, Code: "cb.reach", Key: "robustness.q.cb.reach"}, Score: 1, Justification: "pochi utenti"},
		{Question: Question{Dimension: CostiBenefici, Code: "cb.benefits", Key: "robustness.q.cb.benefits"}, Score: 2, Justification: "nessun indicatore"},
	}
	if !reflect.DeepEqual(low, want) {
		t.Fatalf("low = %+v\nwant %+v", low, want)
	}
	if r.Dimension("nope").Dimension != "" {
		t.Fatal("unknown dimension should give the zero value")
	}
}

func TestAssessErrors(t *testing.T) {
	t.Parallel()
	ok := Answer{Code: "org.staff", Score: 3, Justification: "ok"}
	cases := []struct {
		name    string
		answers []Answer
		code    string
		reason  string
	}{
		{"unknown code", []Answer{ok, {Code: "org.nope", Score: 3}}, "org.nope", ReasonUnknownQuestion},
		{"empty code", []Answer{{Code: "", Score: 3}}, "", ReasonUnknownQuestion},
		{"duplicate", []Answer{ok, {Code: "eco.funding", Score: 2}, {Code: "org.staff", Score: 4}}, "org.staff", ReasonDuplicate},
		{"score 0", []Answer{{Code: "cb.reach", Score: 0}}, "cb.reach", ReasonBadScore},
		{"score 6", []Answer{{Code: "cb.reach", Score: 6}}, "cb.reach", ReasonBadScore},
		{"negative score", []Answer{{Code: "eco.estimate", Score: -1}}, "eco.estimate", ReasonBadScore},
		{"justification 501 chars", []Answer{{Code: "org.risks", Score: 2, Justification: strings.Repeat("x", 501)}}, "org.risks", ReasonTooLong},
		{"justification 501 accented chars", []Answer{{Code: "org.risks", Score: 2, Justification: strings.Repeat("è", 501)}}, "org.risks", ReasonTooLong},
		{"first error in input order wins", []Answer{{Code: "cb.reach", Score: 9}, {Code: "zzz", Score: 3}}, "cb.reach", ReasonBadScore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := Assess(tc.answers)
			var ae *AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("want *AnswerError, got %v", err)
			}
			if ae.Code != tc.code || ae.Reason != tc.reason {
				t.Fatalf("got {%q %q}, want {%q %q}", ae.Code, ae.Reason, tc.code, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.code) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("message %q should name the code and the reason", err.Error())
			}
			if ae.MessageKey() != "robustness.error."+tc.reason {
				t.Errorf("message key %q", ae.MessageKey())
			}
			if !reflect.DeepEqual(r, Result{}) {
				t.Errorf("an error should come with no result, got %+v", r)
			}
		})
	}
}

func TestAssessJustificationLimits(t *testing.T) {
	t.Parallel()
	cases := []string{
		strings.Repeat("x", MaxJustification),
		strings.Repeat("è", MaxJustification),                 // 1000 bytes, 500 characters
		"   " + strings.Repeat("x", MaxJustification) + "\n ", // blanks around do not count
		"",
	}
	for _, j := range cases {
		if _, err := Assess([]Answer{{Code: "org.staff", Score: 1, Justification: j}}); err != nil {
			t.Errorf("justification of %d bytes refused: %v", len(j), err)
		}
	}
}

func TestTrend(t *testing.T) {
	t.Parallel()
	mustAssess := func(a []Answer) Result {
		t.Helper()
		r, err := Assess(a)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	v1 := mustAssess(join(answersFor(Organizzativa, 4, 4, 4, 4), answersFor(Economica, 2, 3, 2, 5))) // 4, 3, -
	v2 := mustAssess(join(
		answersFor(Organizzativa, 4, 4, 4, 4),
		answersFor(Economica, 3, 3, 3, 5),
		answersFor(CostiBenefici, 1, 2, 4, 2),
	)) // 4, 3.5, 2.25
	v3 := mustAssess(nil)
	v4 := mustAssess(join(
		answersFor(Organizzativa, 5, 5, 5, 5),
		answersFor(Economica, 3, 3, 3, 3),
		answersFor(CostiBenefici, 3, 3, 3, 3),
	)) // 5, 3, 3
	v5 := mustAssess(join(
		answersFor(Organizzativa, 4, 4, 4, 4),
		answersFor(Economica, 3, 3, 3, 3),
		answersFor(CostiBenefici, 4, 4, 4, 4),
	)) // 4, 3, 4

	type dp struct {
		index    float64
		rated    bool
		delta    float64
		hasDelta bool
	}
	type pt struct {
		index    float64
		rated    bool
		delta    float64
		hasDelta bool
		dims     [3]dp
	}
	want := []pt{
		{index: 3.5, rated: true, dims: [3]dp{{4, true, 0, false}, {3, true, 0, false}, {}}},
		{index: (4 + 3.5 + 2.25) / 3, rated: true, delta: (4+3.5+2.25)/3 - 3.5, hasDelta: true,
			dims: [3]dp{{4, true, 0, true}, {3.5, true, 0.5, true}, {2.25, true, 0, false}}},
		{dims: [3]dp{}}, // an empty version breaks the chain rather than counting as zeros
		{index: 11.0 / 3, rated: true, dims: [3]dp{{5, true, 0, false}, {3, true, 0, false}, {3, true, 0, false}}},
		{index: 11.0 / 3, rated: true, delta: 0, hasDelta: true,
			dims: [3]dp{{4, true, -1, true}, {3, true, 0, true}, {4, true, 1, true}}},
	}
	got := Trend([]Result{v1, v2, v3, v4, v5})
	if len(got) != len(want) {
		t.Fatalf("got %d points, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Version != i+1 || !near(g.Index, w.index) || g.Rated != w.rated || !near(g.Delta, w.delta) || g.HasDelta != w.hasDelta {
			t.Errorf("v%d: %+v, want %+v", i+1, g, w)
		}
		for j, d := range Dimensions() {
			gd, wd := g.Dimensions[j], w.dims[j]
			if gd.Dimension != d || !near(gd.Index, wd.index) || gd.Rated != wd.rated || !near(gd.Delta, wd.delta) || gd.HasDelta != wd.hasDelta {
				t.Errorf("v%d %s: %+v, want %+v", i+1, d, gd, wd)
			}
		}
	}
	if len(Trend(nil)) != 0 {
		t.Error("Trend(nil) should be empty")
	}
}
