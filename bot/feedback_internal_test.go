package bot

import (
	"testing"

	"github.com/comune-prato/cantieri/internal/survey"
)

// Answers are read as people type them: a scale's number, with or without its label, or an
// end's label; yes/no in either language; an option by key or by text in either language.
func TestSurveyValuesAreReadAsTyped(t *testing.T) {
	t.Parallel()
	ts, err := survey.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	var ext survey.Template
	for _, x := range ts {
		if x.Key == "chiusura-esterna" {
			ext = x
		}
	}
	likert, _ := ext.Question("output")
	choice, _ := ext.Question("replicabilita-tecnica")
	yesno := survey.Question{Key: "q", Kind: survey.KindYesNo}
	for _, tc := range []struct {
		q    survey.Question
		in   string
		want survey.Value
		ok   bool
	}{
		{likert, "4", survey.Value{N: 4}, true},
		{likert, "5 — Pienamente", survey.Value{N: 5}, true},
		{likert, "pienamente", survey.Value{N: 5}, true},
		{likert, "Not at all", survey.Value{N: 1}, true},
		{likert, "9", survey.Value{N: 9}, true}, // read; Validate says it is off the scale
		{likert, "-3", survey.Value{N: -3}, true},
		{likert, "4.5", survey.Value{}, false},
		{likert, "molto", survey.Value{}, false},
		{yesno, "Sì", survey.Value{N: survey.Yes}, true},
		{yesno, "si", survey.Value{N: survey.Yes}, true},
		{yesno, "YES", survey.Value{N: survey.Yes}, true},
		{yesno, "true", survey.Value{N: survey.Yes}, true},
		{yesno, "No", survey.Value{N: survey.No}, true},
		{yesno, "false", survey.Value{N: survey.No}, true},
		{yesno, "forse", survey.Value{}, false},
		{choice, "adattata", survey.Value{S: "adattata"}, true},
		{choice, "NON-SO", survey.Value{S: "non-so"}, true},
		{choice, "Sì, con adattamenti", survey.Value{S: "adattata"}, true},
		{choice, "yes, as it is", survey.Value{S: "si"}, true},
		{choice, "forse", survey.Value{}, false},
	} {
		got, ok := readSurveyValue(tc.q, tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("%s %q: %+v %v, want %+v %v", tc.q.Key, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
