package postgres_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/survey"
)

// exportCSV runs an export into a CSV and returns its records (header first).
func exportCSV(t *testing.T, f *surveyFixture, from, to string, actor int64) [][]string {
	t.Helper()
	q := bot.AnswerExport{ActorID: actor}
	q.From, _ = time.Parse(time.DateOnly, from)
	q.To, _ = time.Parse(time.DateOnly, to)
	var buf bytes.Buffer
	w, err := bot.NewAnswerCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.store.ExportAnswers(context.Background(), q, w.Write)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if n != len(recs)-1 {
		t.Fatalf("ExportAnswers says %d rows, the file has %d", n, len(recs)-1)
	}
	if !slices.Equal(recs[0], bot.AnswerColumns) {
		t.Fatalf("header %v", recs[0])
	}
	return recs
}

// col returns the value of a named column of rec.
func col(rec []string, name string) string { return rec[slices.Index(bot.AnswerColumns, name)] }

// TestExportAnswersIsAnonymous: only released answers leave, with no person in them; the
// department only where the release kept it; free text without pseudonym, department or day,
// and only in a group of at least k; pseudonyms that hold within one export only; the order
// computed from the values; the day range inclusive; the export in the audit log.
func TestExportAnswersIsAnonymous(t *testing.T) {
	t.Parallel()
	const k = 5
	f := newSurveyFixture(t, k)
	ctx := context.Background()
	s1, s2, s3 := f.dept["S1"], f.dept["S2"], f.dept["S3"]

	// The pulse: all of S1 (12) and S3 (3) answer and are released; S3 is too small to be
	// named. Five in S1 leave a comment. Then two of S2 answer: sealed, never exported.
	pulse := f.instance(t, "polso", "pulse:2026-01", f.all)
	_, pulseT, err := f.store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range append(append([]int64{}, s1...), s3...) {
		text := ""
		if i < 5 {
			text = fmt.Sprintf("=commento %d", i) // a formula, to be defused
		}
		if err := f.store.Submit(ctx, pulse, e, answer(pulseT, 1+i%5, text)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.store.Release(ctx, pulse); err != nil || n != 15 {
		t.Fatalf("release: %d, %v", n, err)
	}
	for _, e := range s2[:2] {
		if err := f.store.Submit(ctx, pulse, e, answer(pulseT, 3, "in attesa")); err != nil {
			t.Fatal(err)
		}
	}
	// A meeting survey: five answers, two ideas — fewer than k, so no idea leaves.
	meeting := f.instance(t, "incontro", "meeting:1", s1[:6])
	_, meetingT, _ := f.store.LatestVersion(ctx, "incontro")
	for i, e := range s1[:5] {
		text := ""
		if i < 2 {
			text = "un'idea rara"
		}
		if err := f.store.Submit(ctx, meeting, e, answer(meetingT, 4, text)); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := f.store.Close(ctx, meeting); err != nil || res.Released != 5 {
		t.Fatalf("close: %+v, %v", res, err)
	}
	// Two days, to see the range's ends.
	if _, err := f.pool.Exec(ctx, `UPDATE survey_answers SET released_on = CASE instance_id WHEN $1 THEN date '2026-01-31' ELSE date '2026-02-01' END`,
		pulse); err != nil {
		t.Fatal(err)
	}

	admin := s1[11]
	recs := exportCSV(t, f, "2026-01-01", "2026-12-31", admin)
	rows := recs[1:]
	// 15 pulse responses × 5 Likert + 5 comments; 5 meeting responses × 3 (no idea).
	if len(rows) != 15*5+5+5*3 {
		t.Fatalf("%d rows, want %d", len(rows), 15*5+5+5*3)
	}

	// Nothing of a person: no employee id, e-mail, chat id or name anywhere, and never the
	// stored response ids.
	var people []string
	peopleRows, _ := f.pool.Query(ctx, `SELECT e.id::text, e.email, e.display_name, i.external_id
		FROM employees e JOIN employee_identities i ON i.employee_id = e.id`)
	for peopleRows.Next() {
		var id, email, name, ext string
		if err := peopleRows.Scan(&id, &email, &name, &ext); err != nil {
			t.Fatal(err)
		}
		people = append(people, email, name, ext)
	}
	stored := map[string]bool{}
	uuidRows, _ := f.pool.Query(ctx, `SELECT DISTINCT response::text FROM survey_answers`)
	for uuidRows.Next() {
		var u string
		_ = uuidRows.Scan(&u)
		stored[u] = true
		stored[strings.ReplaceAll(u, "-", "")[:16]] = true
	}
	flat := func(rec []string) string { return strings.Join(rec, ",") }
	for _, rec := range rows {
		for _, p := range people {
			if strings.Contains(flat(rec), p) {
				t.Fatalf("row %v names a person (%q)", rec, p)
			}
		}
		if stored[col(rec, "response")] {
			t.Fatalf("row %v carries a stored response id", rec)
		}
		if strings.Contains(flat(rec), "in attesa") {
			t.Fatalf("a pending (unreleased) answer was exported: %v", rec)
		}
	}

	pseudonyms := map[string]int{}
	depts := map[string]int{}
	var texts []string
	for _, rec := range rows {
		switch col(rec, "kind") {
		case "text":
			if col(rec, "response") != "" || col(rec, "department_code") != "" || col(rec, "department_name") != "" || col(rec, "day") != "" {
				t.Fatalf("a text row carries metadata: %v", rec)
			}
			if col(rec, "instance") != "pulse:2026-01" || col(rec, "question") != "commento" || col(rec, "value") != "" {
				t.Fatalf("text row %v", rec)
			}
			texts = append(texts, col(rec, "text"))
		default:
			if col(rec, "response") == "" || col(rec, "day") == "" || col(rec, "text") != "" {
				t.Fatalf("an answer row lacks its response or day: %v", rec)
			}
			pseudonyms[col(rec, "instance")+"/"+col(rec, "response")]++
			depts[col(rec, "department_code")]++
			if col(rec, "survey") == "polso" && (col(rec, "version") != "1" || col(rec, "day") != "2026-01-31") {
				t.Fatalf("pulse row %v", rec)
			}
		}
	}
	if want := []string{"'=commento 0", "'=commento 1", "'=commento 2", "'=commento 3", "'=commento 4"}; !slices.Equal(texts, want) {
		t.Fatalf("texts %q, want %q (sorted, formulas defused)", texts, want)
	}
	// The pseudonym groups one response's answers: 15 + 5 responses, 5 and 3 rows each.
	if len(pseudonyms) != 20 {
		t.Fatalf("%d pseudonyms, want 20", len(pseudonyms))
	}
	for p, n := range pseudonyms {
		if want := map[bool]int{true: 5, false: 3}[strings.HasPrefix(p, "pulse:")]; n != want {
			t.Fatalf("pseudonym %s on %d rows, want %d", p, n, want)
		}
	}
	// S1 is named (12 invitees, 12 respondents ≥ k); S3 (3 people) never. In the meeting
	// survey S1 had 6 invitees but 5 answered: named too (5 ≥ k).
	if depts["S3"] != 0 || depts["S1"] != 12*5+5*3 || depts[""] != 3*5 {
		t.Fatalf("departments %v", depts)
	}
	for _, rec := range rows {
		if col(rec, "department_code") == "S1" && col(rec, "department_name") != "S1" {
			t.Fatalf("department name %v", rec)
		}
	}

	// The order follows the values: instance, question (template order), value, department,
	// day (then the random response id) — the file says nothing about who answered first.
	qpos := map[string]int{}
	for _, tpl := range []survey.Template{pulseT, meetingT} {
		for i, q := range tpl.Questions {
			qpos[tpl.Key+"/"+q.Key] = i
		}
	}
	inst := map[string]int{"pulse:2026-01": 0, "meeting:1": 1}
	key := func(rec []string) []string {
		v, _ := strconv.Atoi(col(rec, "value"))
		return []string{strconv.Itoa(inst[col(rec, "instance")]), fmt.Sprintf("%02d", qpos[col(rec, "survey")+"/"+col(rec, "question")]),
			fmt.Sprintf("%02d", v), col(rec, "value"), col(rec, "text"), col(rec, "department_code"), col(rec, "day")}
	}
	if !slices.IsSortedFunc(rows, func(a, b []string) int { return slices.Compare(key(a), key(b)) }) {
		t.Fatal("rows are not in value order")
	}

	// Another export of the same answers: the same rows, other pseudonyms.
	again := exportCSV(t, f, "2026-01-01", "2026-12-31", admin)[1:]
	for _, rec := range again {
		if p := col(rec, "response"); p != "" && pseudonyms[col(rec, "instance")+"/"+p] > 0 {
			t.Fatalf("pseudonym %s is the same in two exports", p)
		}
	}
	strip := func(rs [][]string) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			r = slices.Clone(r)
			r[slices.Index(bot.AnswerColumns, "response")] = ""
			out[i] = flat(r)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(strip(rows), strip(again)) {
		t.Fatal("two exports of the same answers differ beyond the pseudonyms")
	}

	// Both ends of the range are included.
	for _, c := range []struct {
		from, to string
		want     int
	}{
		{"2026-01-01", "2026-01-31", 80}, {"2026-02-01", "2026-02-01", 15}, {"2026-01-31", "2026-02-01", 95},
		{"2026-01-30", "2026-01-30", 0}, {"2026-02-02", "2027-01-01", 0},
	} {
		if got := len(exportCSV(t, f, c.from, c.to, 0)) - 1; got != c.want {
			t.Errorf("%s..%s: %d rows, want %d", c.from, c.to, got, c.want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'export.answers' AND actor_id = $1
		AND details->>'rows' = '95' AND details->>'from' = '2026-01-01'`, admin); n != 2 {
		t.Fatalf("%d audit entries of the admin's exports, want 2", n)
	}
}

// TestExportAnswersStopsOnTheCallersError: the caller's error ends the export (the chat's
// row cap), and nothing is logged as exported.
func TestExportAnswersStopsOnTheCallersError(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 3)
	ctx := context.Background()
	inst := f.instance(t, "polso", "pulse:stop", f.dept["S1"][:3])
	_, tpl, _ := f.store.LatestVersion(ctx, "polso")
	for _, e := range f.dept["S1"][:3] {
		if err := f.store.Submit(ctx, inst, e, answer(tpl, 2, "")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.Release(ctx, inst); err != nil {
		t.Fatal(err)
	}
	stop := fmt.Errorf("enough")
	seen := 0
	today := time.Now()
	n, err := f.store.ExportAnswers(ctx, bot.AnswerExport{From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 1)}, func(bot.AnswerRow) error {
		if seen == 4 {
			return stop
		}
		seen++
		return nil
	})
	if n != 4 || err == nil || !strings.Contains(err.Error(), "enough") {
		t.Fatalf("export: %d rows, %v", n, err)
	}
	if c := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'export.answers'`); c != 0 {
		t.Fatalf("a stopped export is in the audit log (%d)", c)
	}
}
