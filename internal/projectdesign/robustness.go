// Package projectdesign holds the pure math of "projects by design" (seed objective 1): the
// robustness check ("robustezza progettuale": organisational/procedural feasibility,
// economic/financial feasibility, cost/benefit balance) and the progress of output and outcome
// indicators. It does no I/O, so the rules that gate a project's phases can be tested exactly and
// reused by commands, the Home tab and the weekly summary alike. User-facing texts live in
// internal/i18n under the keys this package names.
package projectdesign

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Dimension is one of the seed's three robustness dimensions. Its value is the stable code stored
// in the database and used in catalogue keys, so it stays Italian like the seed.
type Dimension string

// The three dimensions, in the order the seed names them and the card shows them.
const (
	Organizzativa Dimension = "organizzativa"  // organisational/procedural feasibility
	Economica     Dimension = "economica"      // economic/financial feasibility
	CostiBenefici Dimension = "costi_benefici" // cost/benefit balance
)

// Key is the catalogue key of the dimension's name.
func (d Dimension) Key() string { return "robustness.dim." + string(d) }

// Score bounds and limits of an answer.
const (
	MinScore = 1
	MaxScore = 5
	// MaxJustification is the longest justification, in characters (not bytes, so accented
	// Italian is not penalised). It keeps the justification "short" as the spec asks and fits
	// a Slack modal field.
	MaxJustification = 500
)

// FlagThreshold is the index below which a dimension is flagged: the spec's "under 3", the
// midpoint of the 1–5 scale, i.e. answers that lean towards "not feasible".
const FlagThreshold = 3.0

// Question is one guided question of the robustness check.
type Question struct {
	Dimension Dimension
	Code      string // stable code stored with the answer, e.g. "org.staff"
	Key       string // catalogue key of the text; Key+".hint" explains what 1 and 5 mean
}

// HintKey is the catalogue key of the hint that says what a 1 and a 5 mean for this question.
func (q Question) HintKey() string { return q.Key + ".hint" }

func question(d Dimension, code string) Question {
	return Question{Dimension: d, Code: code, Key: "robustness.q." + code}
}

// questions is the default question set. Order matters: it is the order of the form, and it
// breaks ties when listing the questions that pulled a dimension down. Codes are stored with
// answers, so never rename one; retire it and add a new one instead.
var questions = []Question{
	question(Organizzativa, "org.staff"),
	question(Organizzativa, "org.procedures"),
	question(Organizzativa, "org.roles"),
	question(Organizzativa, "org.risks"),
	question(Economica, "eco.funding"),
	question(Economica, "eco.estimate"),
	question(Economica, "eco.running_costs"),
	question(Economica, "eco.cofunding"),
	question(CostiBenefici, "cb.benefits"),
	question(CostiBenefici, "cb.proportion"),
	question(CostiBenefici, "cb.reach"),
	question(CostiBenefici, "cb.lasting"),
}

var dimensions = []Dimension{Organizzativa, Economica, CostiBenefici}

// byCode indexes questions by code, with their position for ordering.
var byCode = func() map[string]int {
	m := make(map[string]int, len(questions))
	for i, q := range questions {
		m[q.Code] = i
	}
	return m
}()

// Questions returns the question set in form order. It is a copy, so callers may not alter the
// package's set by accident.
func Questions() []Question { return append([]Question(nil), questions...) }

// Dimensions returns the three dimensions in display order (a copy).
func Dimensions() []Dimension { return append([]Dimension(nil), dimensions...) }

// Lookup returns the question with code, and whether there is one.
func Lookup(code string) (Question, bool) {
	i, ok := byCode[code]
	if !ok {
		return Question{}, false
	}
	return questions[i], true
}

// Answer is one scored answer as the form or the command gives it.
type Answer struct {
	Code          string
	Score         int
	Justification string
}

// Reasons an answer is refused; they are stable strings so that callers can pick a message
// ("robustness.error."+Reason) and tests can match them.
const (
	ReasonUnknownQuestion = "unknown_question"
	ReasonDuplicate       = "duplicate"
	ReasonBadScore        = "bad_score"
	ReasonTooLong         = "too_long"
)

// AnswerError says which answer was refused and why, so that the reply can point at the exact
// question instead of rejecting the whole form vaguely.
type AnswerError struct {
	Code   string // the question code as given
	Reason string // one of the Reason constants
}

// Error implements error.
func (e *AnswerError) Error() string {
	return fmt.Sprintf("projectdesign: answer to %q: %s", e.Code, e.Reason)
}

// MessageKey is the catalogue key of the user-facing message; fill it with "question" (the
// question code or text) and, for too_long, "max" (MaxJustification).
func (e *AnswerError) MessageKey() string { return "robustness.error." + e.Reason }

// ScoredAnswer is an accepted answer together with its question, so that a card can show the
// question text next to the score without looking it up again.
type ScoredAnswer struct {
	Question      Question
	Score         int
	Justification string
}

// DimensionResult is the outcome of one dimension.
type DimensionResult struct {
	Dimension Dimension
	// Index is the mean of the dimension's answered scores, unrounded (show it with 2 decimals).
	// It is meaningful only when Answered > 0.
	Index     float64
	Answered  int
	Questions int
	// Flagged is set when the dimension has answers and Index < FlagThreshold. A dimension with
	// no answers is not flagged: there is nothing to judge yet, and Result.Complete already says
	// the check is unfinished.
	Flagged bool
	// Low lists, for a flagged dimension only, the answers below FlagThreshold, lowest score
	// first and ties in question order: what to work on first to raise the dimension.
	Low []ScoredAnswer
}

// Result is the outcome of one robustness assessment.
type Result struct {
	// Dimensions has one entry per dimension, in Dimensions() order, answered or not.
	Dimensions []DimensionResult
	// Index is the mean of the indices of the dimensions that have answers, so each dimension
	// weighs the same whatever its number of answered questions. Meaningful when Answered > 0.
	Index float64
	// Answered counts the accepted answers.
	Answered int
	// Complete is set when every question has an answer; the phase gate to realizzazione needs it.
	Complete bool
}

// Rated reports whether the result has any answer, i.e. whether Index means anything.
func (r Result) Rated() bool { return r.Answered > 0 }

// Flagged lists the flagged dimensions in display order.
func (r Result) Flagged() []Dimension {
	var out []Dimension
	for _, d := range r.Dimensions {
		if d.Flagged {
			out = append(out, d.Dimension)
		}
	}
	return out
}

// Dimension returns the result of dimension d (the zero value for an unknown d).
func (r Result) Dimension(d Dimension) DimensionResult {
	for _, dr := range r.Dimensions {
		if dr.Dimension == d {
			return dr
		}
	}
	return DimensionResult{}
}

// Assess validates answers and computes the indices. Answers may be partial (a check is filled
// over several sittings); Complete says whether every question is answered. The first invalid
// answer, in input order, is returned as *AnswerError and no Result: a half-accepted form would
// leave the stored check out of step with what the user typed. Justifications are trimmed of
// surrounding blanks, and their length is counted in characters after trimming.
func Assess(answers []Answer) (Result, error) {
	scored := make([]*ScoredAnswer, len(questions)) // by question position
	for _, a := range answers {
		i, ok := byCode[a.Code]
		switch {
		case !ok:
			return Result{}, &AnswerError{Code: a.Code, Reason: ReasonUnknownQuestion}
		case scored[i] != nil:
			return Result{}, &AnswerError{Code: a.Code, Reason: ReasonDuplicate}
		case a.Score < MinScore || a.Score > MaxScore:
			return Result{}, &AnswerError{Code: a.Code, Reason: ReasonBadScore}
		}
		just := strings.TrimSpace(a.Justification)
		if utf8.RuneCountInString(just) > MaxJustification {
			return Result{}, &AnswerError{Code: a.Code, Reason: ReasonTooLong}
		}
		scored[i] = &ScoredAnswer{Question: questions[i], Score: a.Score, Justification: just}
	}

	res := Result{Dimensions: make([]DimensionResult, 0, len(dimensions))}
	rated := 0
	for _, d := range dimensions {
		dr := DimensionResult{Dimension: d}
		sum := 0
		var low []ScoredAnswer
		for i, q := range questions {
			if q.Dimension != d {
				continue
			}
			dr.Questions++
			s := scored[i]
			if s == nil {
				continue
			}
			dr.Answered++
			sum += s.Score
			if float64(s.Score) < FlagThreshold {
				low = append(low, *s) // already in question order
			}
		}
		if dr.Answered > 0 {
			dr.Index = float64(sum) / float64(dr.Answered)
			dr.Flagged = dr.Index < FlagThreshold
			res.Index += dr.Index
			rated++
		}
		if dr.Flagged {
			// Stable sort keeps question order among equal scores.
			sort.SliceStable(low, func(a, b int) bool { return low[a].Score < low[b].Score })
			dr.Low = low
		}
		res.Answered += dr.Answered
		res.Dimensions = append(res.Dimensions, dr)
	}
	if rated > 0 {
		res.Index /= float64(rated)
	}
	res.Complete = res.Answered == len(questions)
	return res, nil
}

// DimensionPoint is one dimension's index in a TrendPoint.
type DimensionPoint struct {
	Dimension Dimension
	Index     float64
	Rated     bool // the dimension had answers in this version
	// Delta is Index minus the previous version's; HasDelta is false for the first version or
	// when either version had no answers in the dimension, since a missing index is not a zero.
	Delta    float64
	HasDelta bool
}

// TrendPoint is one assessment version in a trend.
type TrendPoint struct {
	Version  int // 1-based position in the input
	Index    float64
	Rated    bool
	Delta    float64 // Index minus the previous version's, when HasDelta
	HasDelta bool
	// Dimensions follows Dimensions() order.
	Dimensions []DimensionPoint
}

// Trend turns successive assessments of one project (oldest first) into points with deltas from
// the previous version, so that the project card can show whether re-assessing after fixes has
// actually raised the weak dimensions.
func Trend(results []Result) []TrendPoint {
	out := make([]TrendPoint, 0, len(results))
	for v, r := range results {
		p := TrendPoint{Version: v + 1, Index: r.Index, Rated: r.Rated()}
		var prev *TrendPoint
		if v > 0 {
			prev = &out[v-1]
		}
		if prev != nil && prev.Rated && p.Rated {
			p.Delta, p.HasDelta = p.Index-prev.Index, true
		}
		for i, d := range dimensions {
			dr := r.Dimension(d)
			dp := DimensionPoint{Dimension: d, Index: dr.Index, Rated: dr.Answered > 0}
			if prev != nil && prev.Dimensions[i].Rated && dp.Rated {
				dp.Delta, dp.HasDelta = dp.Index-prev.Dimensions[i].Index, true
			}
			p.Dimensions = append(p.Dimensions, dp)
		}
		out = append(out, p)
	}
	return out
}
