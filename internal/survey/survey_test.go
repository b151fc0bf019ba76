package survey_test

import (
	"os"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/survey"
)

func TestDefaultsParse(t *testing.T) {
	t.Parallel()
	ts, err := survey.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	purposes := map[survey.Purpose]bool{}
	for _, tm := range ts {
		purposes[tm.Purpose] = true
		for _, q := range tm.Questions {
			if q.Text.IT == "" || q.Text.EN == "" {
				t.Errorf("%s.%s lacks a language", tm.Key, q.Key)
			}
		}
	}
	for _, p := range []survey.Purpose{survey.PurposeMeeting, survey.PurposeMilestone, survey.PurposeCloseInternal, survey.PurposeCloseExternal, survey.PurposePulse} {
		if !purposes[p] {
			t.Errorf("no default for %s", p)
		}
	}
}

func TestExampleParses(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../examples/surveys/questionari.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ts, problems := survey.Parse(data)
	if len(problems) > 0 || len(ts) != 1 || len(ts[0].Questions) != 4 {
		t.Fatalf("example: %v %+v", problems, ts)
	}
	if q := ts[0].Questions[3]; q.MaxLength != 300 || q.Required {
		t.Fatalf("text question: %+v", q)
	}
}

// TestParseListsEveryProblem: the broken example yields every problem with its line and field,
// in both languages, and no templates.
func TestParseListsEveryProblem(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../examples/surveys/questionari-errati.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ts, problems := survey.Parse(data)
	if ts != nil {
		t.Fatalf("templates returned despite problems: %+v", ts)
	}
	var it, en []string
	for _, p := range problems {
		it = append(it, p.Text("it"))
		en = append(en, p.Text("en"))
	}
	all := strings.Join(it, "\n")
	for _, want := range []string{
		"riga 4, surveys[1].key: il codice «Formazione Bis» non è valido",
		"riga 5, surveys[1].purpose: scopo «training» sconosciuto",
		"riga 7, surveys[1].title.en: manca, ed è obbligatorio.",
		"riga 9, surveys[1].questions[1].low: manca",
		"riga 9, surveys[1].questions[1].high: manca",
		"riga 12, surveys[1].questions[2].key: il codice «utilita» è già usato poco sopra.",
		"riga 13, surveys[1].questions[2].kind: tipo «scale» sconosciuto",
		"riga 17, surveys[1].questions[3].required: «forse» non va bene",
		"riga 20, surveys[1].questions[3].options: servono da 2 a 10 opzioni (qui 1).",
		"riga 24, surveys[1].questions[4].max_length: la lunghezza massima deve essere tra 10 e 1000 caratteri (qui 5000).",
		"riga 25: il campo «colour» non è previsto qui (surveys[1].questions[4].colour).",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if len(problems) != 11 {
		t.Errorf("%d problems, want 11:\n%s", len(problems), all)
	}
	if !strings.Contains(strings.Join(en, "\n"), "line 13, surveys[1].questions[2].kind: unknown kind «scale»") {
		t.Errorf("English:\n%s", strings.Join(en, "\n"))
	}
}

func TestParseSyntaxAndShape(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"":                             "riga 1: il file è vuoto",
		"surveys:\n  - key: a\n   bad": "il testo non si legge come YAML",
		"questionari: []":              "il campo «questionari» non è previsto",
		"surveys: 3":                   "qui serve un elenco",
		"surveys:\n  - key: a\n    purpose: other\n    title: {it: x, en: y}\n    questions: []":                                                                                              "serve almeno una domanda",
		"surveys:\n  - key: a\n    purpose: other\n    title: {it: x, en: y}\n    questions:\n      - key: q\n        kind: yesno\n        low: {it: a, en: b}\n        text: {it: a, en: b}": "non vale per una domanda di tipo yesno",
	} {
		_, problems := survey.Parse([]byte(src))
		var got []string
		for _, p := range problems {
			got = append(got, p.Text("it"))
		}
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("%q: got %q, want %q", src, got, want)
		}
	}
}

func TestValidateAnswers(t *testing.T) {
	t.Parallel()
	ts, err := survey.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	var meeting survey.Template
	for _, tm := range ts {
		if tm.Key == "incontro" {
			meeting = tm
		}
	}
	ok := survey.Response{"utilita": {N: 5}, "altro-ufficio": {N: survey.Yes}, "nuovo-contatto": {N: survey.No}, "idea": {S: "  "}}
	if p := survey.Validate(meeting, ok); len(p) != 0 {
		t.Fatalf("valid answer refused: %+v", p)
	}
	if _, kept := survey.Normalize(meeting, ok)["idea"]; kept {
		t.Fatal("a blank optional text was kept")
	}
	bad := survey.Response{"utilita": {N: 6}, "altro-ufficio": {N: 2}, "idea": {S: strings.Repeat("é", 501)}, "extra": {N: 1}}
	var codes []string
	for _, p := range survey.Validate(meeting, bad) {
		codes = append(codes, p.Question+":"+p.Code)
	}
	if got := strings.Join(codes, " "); got != "utilita:out_of_range altro-ufficio:out_of_range nuovo-contatto:missing idea:too_long extra:unknown_question" {
		t.Fatalf("problems: %s", got)
	}
	p := survey.Validate(meeting, survey.Response{"utilita": {N: 1}, "altro-ufficio": {N: 1}, "nuovo-contatto": {N: 1}, "idea": {S: "a\x00b"}})
	if len(p) != 1 || p[0].Code != survey.AnswerBadText {
		t.Fatalf("control character: %+v", p)
	}
	if s := (survey.AnswerProblem{Question: "idea", Code: survey.AnswerTooLong, Max: 500}).Text("en", meeting); !strings.Contains(s, "at most 500 characters") || !strings.Contains(s, "An idea for collaboration") {
		t.Fatalf("English problem: %q", s)
	}
}

// TestAggregateBoundary: k−1 responses show nothing, k show everything; a question answered by
// fewer than k is hidden on its own, texts come sorted.
func TestAggregateBoundary(t *testing.T) {
	t.Parallel()
	tm := survey.Template{Key: "t", Questions: []survey.Question{
		{Key: "l", Kind: survey.KindLikert}, {Key: "y", Kind: survey.KindYesNo},
		{Key: "c", Kind: survey.KindChoice, Options: []survey.Option{{Key: "a"}, {Key: "b"}}},
		{Key: "x", Kind: survey.KindText, MaxLength: 100},
	}}
	var rs []survey.Response
	for i := range 5 {
		r := survey.Response{"l": {N: i + 1}, "y": {N: i % 2}, "c": {S: "b"}}
		if i < 4 {
			r["x"] = survey.Value{S: string(rune('e' - i))}
		}
		rs = append(rs, r)
	}
	if rep := survey.Aggregate(tm, rs[:4], 5); !rep.Hidden || rep.Respondents != 4 || rep.Questions != nil {
		t.Fatalf("k-1: %+v", rep)
	}
	rep := survey.Aggregate(tm, rs, 5)
	if rep.Hidden || rep.Questions[0].Mean != 3 || rep.Questions[1].Counts[1] != 2 || rep.Questions[2].Counts[1] != 5 {
		t.Fatalf("k: %+v", rep)
	}
	if x := rep.Questions[3]; !x.Hidden || x.Texts != nil || x.Answered != 4 {
		t.Fatalf("texts from 4 of 5 must stay hidden: %+v", x)
	}
	rs[4]["x"] = survey.Value{S: "a"}
	if x := survey.Aggregate(tm, rs, 5).Questions[3]; x.Hidden || strings.Join(x.Texts, "") != "abcde" {
		t.Fatalf("texts: %+v", x)
	}
	// k is never below the floor.
	if rep := survey.Aggregate(tm, rs[:2], 1); !rep.Hidden || rep.K != survey.MinRespondents {
		t.Fatalf("k=1 taken as is: %+v", rep)
	}
}

// TestDocumentedExampleParses keeps docs/surveys.md's example valid.
func TestDocumentedExampleParses(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/surveys.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml block in docs/surveys.md")
	}
	if ts, problems := survey.Parse([]byte(block)); len(problems) > 0 || len(ts) != 1 {
		t.Fatalf("docs example: %+v", problems)
	}
}
