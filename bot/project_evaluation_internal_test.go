package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/survey"
)

// verdictQuestion is a replicability question of the shipped templates with counts for si,
// adattata, no, non-so.
func verdictQuestion(counts ...int) survey.QuestionReport {
	opts := []survey.Option{}
	for _, k := range []string{replicableAsIs, replicableAdapted, replicableNo, replicableUnknown} {
		opts = append(opts, survey.Option{Key: k, Text: survey.Text{IT: k, EN: k}})
	}
	return survey.QuestionReport{Question: survey.Question{Key: questionReplicabilityTechnical, Kind: survey.KindChoice, Options: opts},
		Counts: counts}
}

// The verdict by majority, at its edges.
func TestReplicabilityVerdict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		counts []int
		want   string
	}{
		{[]int{3, 1, 1, 0}, "as_is"},   // 3 of 5 judged say as it is
		{[]int{2, 1, 1, 0}, "adapted"}, // 2 of 4 is no majority for "as it is", 3 of 4 for yes
		{[]int{1, 1, 2, 0}, "split"},   // 2 yes, 2 no
		{[]int{0, 1, 3, 1}, "no"},      // 3 of 4 judged say no
		{[]int{1, 0, 1, 3}, "unknown"}, // 3 of 5 do not know
		{[]int{1, 1, 0, 2}, "adapted"}, // 2 of 4 do not know (no majority): 2 of 2 judged say yes
		{[]int{0, 0, 0, 5}, "unknown"}, // nobody judged
		{[]int{2, 2, 4, 0}, "split"},   // 4 yes, 4 no
		{[]int{5, 0, 0, 0}, "as_is"},   // unanimous
		{[]int{0, 0, 5, 0}, "no"},      // unanimous
		{[]int{0, 3, 2, 0}, "adapted"}, // 3 of 5 yes, none as it is
		{[]int{2, 0, 3, 0}, "no"},      // 3 of 5 no
		{[]int{2, 1, 2, 0}, "adapted"}, // 3 of 5 yes
		{[]int{1, 1, 1, 1}, "adapted"}, // 2 of 3 judged say yes, as it is or adapted
	} {
		got, ok := replicabilityVerdict(verdictQuestion(tc.counts...))
		if !ok || got != tc.want {
			t.Errorf("%v: verdict %q (%v), want %q", tc.counts, got, ok, tc.want)
		}
	}
	// Options that are not the shipped four: no verdict, the distribution says it all.
	q := verdictQuestion(1, 2, 3, 4)
	q.Question.Options[3].Key = "forse"
	if v, ok := replicabilityVerdict(q); ok {
		t.Errorf("a template with other options got the verdict %q", v)
	}
}

// A template at HR's limits (20 questions of 500 characters, ten long options each) still gives
// card sections within Slack's 3,000 characters.
func TestEvaluationSectionsFitSlack(t *testing.T) {
	t.Parallel()
	c := &Call{Locale: "it"}
	long := strings.Repeat("parola ", 70)
	var qs []survey.QuestionReport
	for i := range survey.MaxQuestions {
		q := survey.Question{Key: "q" + string(rune('a'+i)), Kind: survey.KindChoice, Text: survey.Text{IT: long, EN: long}}
		for j := range survey.MaxOptions {
			q.Options = append(q.Options, survey.Option{Key: string(rune('a' + j)), Text: survey.Text{IT: strings.Repeat("x", 75)}})
		}
		if i%2 == 0 {
			q.Kind, q.Options = survey.KindLikert, nil
		}
		qs = append(qs, survey.QuestionReport{Question: q, Answered: 9, Counts: make([]int, max(len(q.Options), 5)), Mean: 3.4})
	}
	s := EvaluationSurvey{InstanceID: 1, Invited: 12, Answered: 9, Report: survey.Report{K: 5, Respondents: 9, Questions: qs}}
	sec := surveySection(c, "Valutazione", s, 5, true, nil)
	if n := utf8.RuneCountInString(sec.Title + "\n" + sec.Text); n > 3000 {
		t.Fatalf("section of %d characters", n)
	}
	if !strings.Contains(sec.Text, "…e altre") {
		t.Errorf("the cut is not said:\n%s", sec.Text)
	}
	if strings.Count(sec.Text, "media 3,4 su 5") == 0 {
		t.Errorf("no question shown:\n%s", sec.Text)
	}
}
