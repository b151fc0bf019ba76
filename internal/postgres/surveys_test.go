package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

const testSurveyKey = "test-survey-key-0123456789abcdefghijklmnop"

// surveyFixture is a small council: departments S1 (12 people), S2 (7) and S3 (3), each
// employee in a Servizio under their Settore, and two people with no unit.
type surveyFixture struct {
	pool  *pgxpool.Pool
	store *postgres.SurveyStore
	// people by department code ("" for none), and every employee's id
	dept map[string][]int64
	all  []int64
	// deptID by code
	deptID map[string]int64
}

func newSurveyFixture(t *testing.T, k int) *surveyFixture {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: k, Keys: []string{testSurveyKey}})
	if err != nil {
		t.Fatal(err)
	}
	f := &surveyFixture{pool: pool, store: store, dept: map[string][]int64{}, deptID: map[string]int64{}}
	var area int64
	if err := pool.QueryRow(ctx, `INSERT INTO org_units (code, name, type_label) VALUES ('A', 'Area', 'Area') RETURNING id`).Scan(&area); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range []struct {
		code string
		size int
	}{{"S1", 12}, {"S2", 7}, {"S3", 3}, {"", 2}} {
		var unit *int64
		if d.code != "" {
			var sid, svc int64
			if err := pool.QueryRow(ctx, `INSERT INTO org_units (code, name, type_label, parent_id) VALUES ($1, $1, 'Settore', $2) RETURNING id`,
				d.code, area).Scan(&sid); err != nil {
				t.Fatal(err)
			}
			if err := pool.QueryRow(ctx, `INSERT INTO org_units (code, name, type_label, parent_id) VALUES ($1, $1, 'Servizio', $2) RETURNING id`,
				d.code+"-SV", sid).Scan(&svc); err != nil {
				t.Fatal(err)
			}
			f.deptID[d.code] = sid
			unit = &svc
		}
		for range d.size {
			n++
			var id int64
			if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email, unit_id) VALUES ($1, $2, $3) RETURNING id`,
				fmt.Sprintf("Persona %02d", n), fmt.Sprintf("p%02d@comune.example.it", n), unit).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, `INSERT INTO employee_identities (employee_id, transport, external_id) VALUES ($1, 'slack', $2)`,
				id, fmt.Sprintf("U%07d", n)); err != nil {
				t.Fatal(err)
			}
			f.dept[d.code] = append(f.dept[d.code], id)
			f.all = append(f.all, id)
		}
	}
	return f
}

func (f *surveyFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *surveyFixture) instance(t *testing.T, template, subject string, audience []int64) int64 {
	t.Helper()
	inst, err := f.store.CreateInstance(context.Background(), postgres.InstanceSpec{Template: template, Subject: subject, Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	if !inst.Created || inst.Invited != len(audience) {
		t.Fatalf("instance %s: %+v, want %d invited", subject, inst, len(audience))
	}
	return inst.ID
}

// answer builds a valid response to t: every Likert at v, yes/no yes, the first option, and
// the given text in every text question.
func answer(t survey.Template, v int, text string) survey.Response {
	r := survey.Response{}
	for _, q := range t.Questions {
		switch q.Kind {
		case survey.KindLikert:
			r[q.Key] = survey.Value{N: v}
		case survey.KindYesNo:
			r[q.Key] = survey.Value{N: survey.Yes}
		case survey.KindChoice:
			r[q.Key] = survey.Value{S: q.Options[0].Key}
		case survey.KindText:
			r[q.Key] = survey.Value{S: text}
		}
	}
	return r
}

func TestSurveyDefaultsAreInstalledOnce(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	list, err := f.store.Templates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]survey.Purpose{}
	for _, ts := range list {
		got[ts.Key] = ts.Purpose
		if ts.Versions != 1 {
			t.Errorf("%s: %d versions", ts.Key, ts.Versions)
		}
	}
	want := map[string]survey.Purpose{"incontro": survey.PurposeMeeting, "traguardo": survey.PurposeMilestone,
		"chiusura-interna": survey.PurposeCloseInternal, "chiusura-esterna": survey.PurposeCloseExternal, "polso": survey.PurposePulse}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("defaults = %v, want %v", got, want)
	}
	// The close surveys ask the replicability verdict as two questions.
	_, tmpl, err := f.store.LatestVersion(ctx, "chiusura-esterna")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"replicabilita-tecnica", "replicabilita-politica"} {
		if q, ok := tmpl.Question(k); !ok || q.Kind != survey.KindChoice || q.Text.EN == "" {
			t.Errorf("chiusura-esterna lacks %s: %+v", k, q)
		}
	}
	// Migrating again (every start) adds nothing, and keeps an HR version as the latest.
	edited := tmpl
	edited.Title.IT = "Valutazione esterna (versione HR)"
	if res, err := f.store.ImportTemplates(ctx, []survey.Template{edited}, 0); err != nil || res.Versioned != 1 {
		t.Fatalf("import edited: %+v %v", res, err)
	}
	if err := postgres.Migrate(ctx, f.pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_versions`); n != 6 {
		t.Fatalf("%d versions after a second migration, want 5 defaults + 1 HR version", n)
	}
	if _, latest, _ := f.store.LatestVersion(ctx, "chiusura-esterna"); latest.Title.IT != edited.Title.IT {
		t.Fatalf("the HR version was overwritten: %q", latest.Title.IT)
	}
}

func TestSurveyImportMakesVersionsAndAnswersKeepTheirs(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	v1, pulse, err := f.store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	inst := f.instance(t, "polso", "pulse:2026-05", f.dept["S1"])

	// Unchanged content: nothing happens, not even an audit row.
	if res, err := f.store.ImportTemplates(ctx, []survey.Template{pulse}, 0); err != nil || res.Unchanged != 1 || res.Versioned+res.Created != 0 {
		t.Fatalf("unchanged import: %+v %v", res, err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'import.surveys'`); n != 0 {
		t.Fatalf("an unchanged import wrote %d audit rows", n)
	}
	edited := pulse
	edited.Questions = append([]survey.Question{}, pulse.Questions[:len(pulse.Questions)-1]...)
	res, err := f.store.ImportTemplates(ctx, []survey.Template{edited}, f.all[0])
	if err != nil || res.Versioned != 1 {
		t.Fatalf("edited import: %+v %v", res, err)
	}
	v2, latest, err := f.store.LatestVersion(ctx, "polso")
	if err != nil || v2 == v1 || len(latest.Questions) != len(pulse.Questions)-1 {
		t.Fatalf("latest = %d (%d questions), %v", v2, len(latest.Questions), err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'import.surveys' AND actor_id = $1`, f.all[0]); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	// The instance created before the edit still asks version 1, and its answers point to it.
	for i, e := range f.dept["S1"][:5] {
		if err := f.store.Submit(ctx, inst, e, answer(pulse, 1+i%5, "commento")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.store.Release(ctx, inst); err != nil || n != 5 {
		t.Fatalf("release: %d %v", n, err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_answers WHERE version_id = $1 AND question = 'commento'`, v1); n != 5 {
		t.Fatalf("%d answers to version 1's last question, want 5", n)
	}
	// A new instance asks version 2.
	inst2, err := f.store.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:2026-06", Audience: f.dept["S2"]})
	if err != nil || inst2.VersionID != v2 {
		t.Fatalf("new instance: %+v %v", inst2, err)
	}
	// The same subject again: the same instance, nobody invited twice.
	again, err := f.store.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:2026-06", Audience: f.all})
	if err != nil || again.Created || again.ID != inst2.ID || again.Invited != 0 {
		t.Fatalf("same subject: %+v %v", again, err)
	}
}

func TestSurveySubmitRules(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	_, meeting, err := f.store.LatestVersion(ctx, "incontro")
	if err != nil {
		t.Fatal(err)
	}
	inst := f.instance(t, "incontro", "round:1", f.dept["S1"][:6])
	outsider := f.dept["S2"][0]
	if err := f.store.Submit(ctx, inst, outsider, answer(meeting, 3, "")); !errors.Is(err, survey.ErrNotInvited) {
		t.Fatalf("outsider: %v", err)
	}
	if err := f.store.Submit(ctx, 999999, outsider, answer(meeting, 3, "")); !errors.Is(err, survey.ErrNotInvited) {
		t.Fatalf("no such instance: %v", err)
	}
	bad := answer(meeting, 9, strings.Repeat("x", 501))
	delete(bad, "altro-ufficio")
	err = f.store.Submit(ctx, inst, f.dept["S1"][0], bad)
	var invalid *survey.InvalidError
	if !errors.As(err, &invalid) || len(invalid.Problems) != 3 {
		t.Fatalf("invalid answer: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE answered`); n != 0 {
		t.Fatal("an invalid answer marked the invitation")
	}
	if err := f.store.Submit(ctx, inst, f.dept["S1"][0], answer(meeting, 4, "prima")); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Submit(ctx, inst, f.dept["S1"][0], answer(meeting, 1, "seconda")); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("second submission: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_pending`); n != 1 {
		t.Fatalf("%d pending after a refused second submission", n)
	}
	// Below k nothing is released, and nothing is written.
	if n, err := f.store.Release(ctx, inst); err != nil || n != 0 {
		t.Fatalf("release below k: %d %v", n, err)
	}
	// Closed with fewer than k answers in all: discarded unread; late answers refused.
	res, err := f.store.Close(ctx, inst)
	if err != nil || res.Discarded != 1 || res.Released != 0 {
		t.Fatalf("close: %+v %v", res, err)
	}
	if err := f.store.Submit(ctx, inst, f.dept["S1"][1], answer(meeting, 4, "")); !errors.Is(err, survey.ErrClosed) {
		t.Fatalf("late answer: %v", err)
	}
	if res, err := f.store.Close(ctx, inst); err != nil || !res.AlreadyClosed {
		t.Fatalf("second close: %+v %v", res, err)
	}
	st, err := f.store.Status(ctx, inst)
	if err != nil || st != (postgres.InstanceStatus{Invited: 6, Answered: 1, Discarded: 1, Closed: true}) {
		t.Fatalf("status %+v %v", st, err)
	}
	// A key that does not open the sealed answers fails the release loudly, losing nothing.
	inst2 := f.instance(t, "incontro", "round:2", f.dept["S1"][:6])
	for _, e := range f.dept["S1"][:5] {
		if err := f.store.Submit(ctx, inst2, e, answer(meeting, 2, "")); err != nil {
			t.Fatal(err)
		}
	}
	other, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{strings.Repeat("z", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Release(ctx, inst2); err == nil || !strings.Contains(err.Error(), "SURVEY_KEY") {
		t.Fatalf("release with the wrong key: %v", err)
	}
	rotated, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{strings.Repeat("z", 40), testSurveyKey}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := rotated.Release(ctx, inst2); err != nil || n != 5 {
		t.Fatalf("release with the old key listed second: %d %v", n, err)
	}
}

// TestSurveyAggregateKRule: k−1 responses show nothing, k show the aggregates; a department is
// kept only with k invitees and k respondents in it.
func TestSurveyAggregateKRule(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	_, pulse, err := f.store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	// S1: 12 invited, S3: 3 invited (below k: never kept).
	audience := append(append([]int64{}, f.dept["S1"]...), f.dept["S3"]...)
	inst := f.instance(t, "polso", "pulse:k", audience)
	submit := func(e int64, v int) {
		t.Helper()
		if err := f.store.Submit(ctx, inst, e, answer(pulse, v, fmt.Sprintf("testo %d", e))); err != nil {
			t.Fatal(err)
		}
	}
	// Four from S1 and one from S3: a batch of 5, but S1 has only 4 respondents then.
	for i, e := range f.dept["S1"][:4] {
		submit(e, i+1)
	}
	submit(f.dept["S3"][0], 5)
	if n, err := f.store.Release(ctx, inst); err != nil || n != 5 {
		t.Fatalf("release: %d %v", n, err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_answers WHERE department_id IS NOT NULL`); n != 0 {
		t.Fatalf("%d answers kept a department with fewer than k respondents", n)
	}
	rep, err := f.store.Aggregate(ctx, postgres.AggregateQuery{Instances: []int64{inst}})
	if err != nil || rep.Hidden || rep.Respondents != 5 {
		t.Fatalf("k responses: %+v %v", rep, err)
	}
	q := rep.Questions[0]
	if q.Hidden || q.Mean != 3 || fmt.Sprint(q.Counts) != "[1 1 1 1 1]" {
		t.Fatalf("collaborazione: %+v", q)
	}
	if txt := rep.Questions[len(rep.Questions)-1]; txt.Hidden || len(txt.Texts) != 5 {
		t.Fatalf("texts: %+v", txt)
	}
	// S1 now gets its fifth respondent: from this batch on S1 is kept (4 more make a batch).
	for i, e := range f.dept["S1"][4:9] {
		submit(e, i+1)
	}
	if n, err := f.store.Release(ctx, inst); err != nil || n != 5 {
		t.Fatalf("release 2: %d %v", n, err)
	}
	if n := f.count(t, `SELECT count(DISTINCT response) FROM survey_answers WHERE department_id = $1`, f.deptID["S1"]); n != 5 {
		t.Fatalf("%d responses kept S1, want the second batch's 5", n)
	}
	byDept, err := f.store.Aggregate(ctx, postgres.AggregateQuery{Instances: []int64{inst}, Department: f.deptID["S1"]})
	if err != nil || byDept.Hidden || byDept.Respondents != 5 {
		t.Fatalf("S1: %+v %v", byDept, err)
	}
	// k−1: an instance with four released... cannot exist (batches are ≥ k); a department
	// filter with four is the boundary.
	if _, err := f.pool.Exec(ctx, `UPDATE survey_answers SET department_id = NULL WHERE response =
(SELECT response FROM survey_answers WHERE department_id IS NOT NULL LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	hidden, err := f.store.Aggregate(ctx, postgres.AggregateQuery{Instances: []int64{inst}, Department: f.deptID["S1"]})
	if err != nil || !hidden.Hidden || hidden.Respondents != 4 || len(hidden.Questions) != 0 {
		t.Fatalf("k-1: %+v %v", hidden, err)
	}
}

// --- The DBA test -------------------------------------------------------------------------------

// dbaRun is what the test knows and the DBA does not: who wrote which marker (every response
// carries a unique random text), and in which order each instance's answers were submitted.
type dbaRun struct {
	author map[string]int64
	order  map[int64][]int64
}

type finding struct{ kind, detail string }

// TestSurveyDBACannotLinkAnswers plays a run — several instances, people answering them
// interleaved, batches released by the periodic job, some instances closed, some still open
// with answers pending — then plays a database administrator with full read access, who tries
// every link: the schema, values, xmin equality and xmin windows between answers and
// invitations, the physical order (ctid) of both, the days, the department, the counts, and
// the pending answers. The test fails if any link narrows an answer below k people. The
// sub-tests show that the attack catches the naive designs.
func TestSurveyDBACannotLinkAnswers(t *testing.T) {
	t.Parallel()
	const k = 5
	f := newSurveyFixture(t, k)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(12, 34))
	run := dbaRun{author: map[string]int64{}, order: map[int64][]int64{}}

	s1, s2, s3 := f.dept["S1"], f.dept["S2"], f.dept["S3"]
	pulse := f.instance(t, "polso", "pulse:2026-05", f.all)                                                            // 24, 17 answer, closed
	meeting := f.instance(t, "incontro", "meeting:1", []int64{s1[0], s1[1], s1[2], s2[0], s2[1], s3[0], s3[1], s3[2]}) // 8, 7 answer, open
	closeInt := f.instance(t, "chiusura-interna", "project:1:close-internal", s2[:4])                                  // 4, 3 answer, closed: discarded
	milestone := f.instance(t, "traguardo", "project:2:milestone", s1[6:12])                                           // 6, 2 answer, open
	plan := map[int64][]int64{
		pulse:     pick(rng, f.all, 17),
		meeting:   pick(rng, []int64{s1[0], s1[1], s1[2], s2[0], s2[1], s3[0], s3[1], s3[2]}, 7),
		closeInt:  pick(rng, s2[:4], 3),
		milestone: pick(rng, s1[6:12], 2),
	}
	// Interleave the submissions across instances, the job releasing after each.
	var queue [][2]int64
	for inst, people := range plan {
		for _, e := range people {
			queue = append(queue, [2]int64{inst, e})
		}
	}
	rng.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
	// Keep each instance's own order as planned (the shuffle interleaves instances only).
	next := map[int64]int{}
	for i, q := range queue {
		inst := q[0]
		e := plan[inst][next[inst]]
		next[inst]++
		queue[i][1] = e
	}
	for _, q := range queue {
		inst, e := q[0], q[1]
		vid := f.count(t, `SELECT version_id FROM survey_instances WHERE id = $1`, inst)
		tmpl, err := f.store.Version(ctx, int64(vid))
		if err != nil {
			t.Fatal(err)
		}
		marker := fmt.Sprintf("nota-%016x", rng.Uint64())
		run.author[marker] = e
		run.order[inst] = append(run.order[inst], e)
		if err := f.store.Submit(ctx, inst, e, answer(tmpl, 1+rng.IntN(5), marker)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.store.ReleaseDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, inst := range []int64{pulse, closeInt} {
		if _, err := f.store.Close(ctx, inst); err != nil {
			t.Fatal(err)
		}
	}
	// The run did what it should: pulse 15 released in batches of 5 and the last 2 discarded
	// at the close (fewer than k), the meeting 5 released and 2 pending, the internal close
	// discarded, the milestone 2 pending.
	for inst, want := range map[int64]postgres.InstanceStatus{
		pulse:     {Invited: 24, Answered: 17, Released: 15, Discarded: 2, Closed: true},
		meeting:   {Invited: 8, Answered: 7, Released: 5, Pending: 2},
		closeInt:  {Invited: 4, Answered: 3, Discarded: 3, Closed: true},
		milestone: {Invited: 6, Answered: 2, Pending: 2},
	} {
		if st, err := f.store.Status(ctx, inst); err != nil || st != want {
			t.Fatalf("instance %d: %+v, want %+v (%v)", inst, st, want, err)
		}
	}

	if found := dbaAttack(t, f.pool, k, run); len(found) > 0 {
		for _, x := range found {
			t.Errorf("DBA link %s: %s", x.kind, x.detail)
		}
	}

	// The naive design: the answer written in clear in the submission's transaction. The
	// xmin check names every respondent.
	t.Run("naive same transaction is caught by xmin", func(t *testing.T) {
		inst := f.instance(t, "incontro", "naive:1", s1[:6])
		naive := dbaRun{author: map[string]int64{}, order: map[int64][]int64{}}
		for i, e := range s1[:6] {
			marker := fmt.Sprintf("naive-%d", i)
			naive.author[marker] = e
			naive.order[inst] = append(naive.order[inst], e)
			err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE survey_invitations SET answered = true WHERE instance_id = $1 AND employee_id = $2`, inst, e); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO survey_answers (response, instance_id, version_id, question, released_on, value_text)
SELECT gen_random_uuid(), id, version_id, 'idea', current_date, $2 FROM survey_instances WHERE id = $1`, inst, marker)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		found := dbaAttack(t, f.pool, k, naive)
		if !hasKind(found, "xmin") {
			t.Fatalf("the xmin check missed the naive design: %v", found)
		}
	})
	// Two transactions, the answer written right after the mark, in clear, unshuffled: the
	// xmin windows and the physical order name them.
	t.Run("naive next transaction is caught by xmin windows and order", func(t *testing.T) {
		inst := f.instance(t, "incontro", "naive:2", s1[:12])
		naive := dbaRun{author: map[string]int64{}, order: map[int64][]int64{}}
		for i, e := range s1[:12] {
			marker := fmt.Sprintf("naive2-%d", i)
			naive.author[marker] = e
			naive.order[inst] = append(naive.order[inst], e)
			if _, err := f.pool.Exec(ctx, `UPDATE survey_invitations SET answered = true WHERE instance_id = $1 AND employee_id = $2`, inst, e); err != nil {
				t.Fatal(err)
			}
			if _, err := f.pool.Exec(ctx, `INSERT INTO survey_answers (response, instance_id, version_id, question, released_on, value_text)
SELECT gen_random_uuid(), id, version_id, 'idea', current_date, $2 FROM survey_instances WHERE id = $1`, inst, marker); err != nil {
				t.Fatal(err)
			}
		}
		found := dbaAttack(t, f.pool, k, naive)
		if !hasKind(found, "xmin-window") || !hasKind(found, "ctid-order") {
			t.Fatalf("the attack missed the two-transaction design: %v", found)
		}
	})
	// Pending answers kept in clear (no key): the pending check reads them.
	t.Run("naive clear pending is caught", func(t *testing.T) {
		inst := f.instance(t, "incontro", "naive:3", s1[:6])
		naive := dbaRun{author: map[string]int64{"naive3-0": s1[0]}, order: map[int64][]int64{inst: {s1[0]}}}
		if _, err := f.pool.Exec(ctx, `INSERT INTO survey_pending (instance_id, sealed) VALUES ($1, $2)`, inst,
			[]byte(`{"d":0,"r":{"idea":{"s":"naive3-0"}}}`)); err != nil {
			t.Fatal(err)
		}
		if found := dbaAttack(t, f.pool, k, naive); !hasKind(found, "pending") {
			t.Fatalf("the pending check missed a clear pending answer: %v", found)
		}
	})
}

func hasKind(found []finding, kind string) bool {
	for _, x := range found {
		if x.kind == kind {
			return true
		}
	}
	return false
}

func pick(rng *rand.Rand, from []int64, n int) []int64 {
	c := append([]int64{}, from...)
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c[:n]
}

// dbaAttack reads the tables as a DBA would and returns every link that narrows an answer of
// run's instances to fewer than k people. The DBA does not know run; the test uses it only to
// tell whether a guess (by physical order) was right.
func dbaAttack(t *testing.T, pool *pgxpool.Pool, k int, run dbaRun) []finding {
	t.Helper()
	ctx := context.Background()
	var found []finding
	add := func(kind, format string, a ...any) { found = append(found, finding{kind, fmt.Sprintf(format, a...)}) }

	// 1. The schema: answers and pending answers have no person, no time finer than the day,
	// no sequence; invitations no time at all.
	rows, err := pool.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, coalesce(c.column_default, ''), c.is_identity
FROM information_schema.columns c WHERE c.table_name IN ('survey_answers', 'survey_pending', 'survey_invitations')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col, typ, def, ident string
		if err := rows.Scan(&table, &col, &typ, &def, &ident); err != nil {
			t.Fatal(err)
		}
		// An invitation may keep the day it was made (reminders are spaced from it): the
		// messages that invite say as much, and no answer carries a time finer than the day of
		// its batch's release, which holds at least k answers. Any other date there would be
		// an answering time.
		if strings.Contains(typ, "time") || (table == "survey_invitations" && typ == "date" && col != "invited_on") {
			add("schema", "%s.%s is %s", table, col, typ)
		}
		if table != "survey_invitations" && (strings.Contains(def, "nextval") || ident == "YES" ||
			strings.Contains(col, "employee") || strings.Contains(col, "slack") || strings.Contains(col, "person") || strings.Contains(col, "user")) {
			add("schema", "%s.%s (%s, default %q) may name a person or an order", table, col, typ, def)
		}
	}
	rows.Close()
	var fks int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_constraint WHERE contype = 'f'
AND conrelid IN ('survey_answers'::regclass, 'survey_pending'::regclass) AND confrelid IN ('employees'::regclass, 'employee_identities'::regclass)`).Scan(&fks); err != nil {
		t.Fatal(err)
	}
	if fks > 0 {
		add("schema", "answers reference employees")
	}

	// 2. Values: no answer holds a name, an e-mail or a chat id.
	var leaks int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM survey_answers a WHERE EXISTS (
  SELECT 1 FROM employees e LEFT JOIN employee_identities i ON i.employee_id = e.id
  WHERE a.value_text IN (e.display_name, e.email, i.external_id) OR a.response::text = i.external_id)`).Scan(&leaks); err != nil {
		t.Fatal(err)
	}
	if leaks > 0 {
		add("value", "%d answers hold a person's name, e-mail or chat id", leaks)
	}

	instances := map[int64]bool{}
	for inst := range run.order {
		instances[inst] = true
	}
	type inv struct {
		employee, xmin int64
		dept           *int64
		rank           int
	}
	type resp struct {
		author, xmin int64
		dept         *int64
		day          string
		rank         int
	}
	for inst := range instances {
		var invs []inv
		rows, err := pool.Query(ctx, `SELECT employee_id, xmin::text::bigint, department_id, row_number() OVER (ORDER BY ctid)
FROM survey_invitations WHERE instance_id = $1 AND answered ORDER BY ctid`, inst)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var x inv
			if err := rows.Scan(&x.employee, &x.xmin, &x.dept, &x.rank); err != nil {
				t.Fatal(err)
			}
			invs = append(invs, x)
		}
		rows.Close()
		var resps []resp
		rows, err = pool.Query(ctx, `SELECT string_agg(value_text, '' ORDER BY question) FILTER (WHERE value_text LIKE 'nota-%' OR value_text LIKE 'naive%'),
  max(xmin::text::bigint), (array_agg(department_id))[1], max(released_on)::text, row_number() OVER (ORDER BY min(ctid))
FROM survey_answers WHERE instance_id = $1 GROUP BY response ORDER BY min(ctid)`, inst)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				x      resp
				marker *string
			)
			if err := rows.Scan(&marker, &x.xmin, &x.dept, &x.day, &x.rank); err != nil {
				t.Fatal(err)
			}
			if marker == nil {
				t.Fatalf("instance %d: a response without its marker", inst)
			}
			x.author = run.author[*marker]
			resps = append(resps, x)
		}
		rows.Close()

		narrowed := func(kind string, r resp, set []int64) {
			if len(set) > 0 && len(set) < k {
				add(kind, "instance %d: the answer of %d narrowed to %v", inst, r.author, set)
			}
		}
		xmins := map[int64]bool{}
		days := map[string]int{}
		for _, r := range resps {
			xmins[r.xmin] = true
			days[r.day]++
		}
		for _, r := range resps {
			// 3. xmin equality: the invitations written by the transaction that wrote the answer.
			var same, window, dept, everyone []int64
			prev := int64(0)
			for x := range xmins {
				if x < r.xmin && x > prev {
					prev = x
				}
			}
			for _, i := range invs {
				everyone = append(everyone, i.employee)
				if i.xmin == r.xmin {
					same = append(same, i.employee)
				}
				// 4. xmin windows: the invitations marked after the previous batch and up to
				// this answer's transaction.
				if i.xmin > prev && i.xmin <= r.xmin {
					window = append(window, i.employee)
				}
				// 5. The department: the respondents from it.
				if r.dept != nil && i.dept != nil && *i.dept == *r.dept {
					dept = append(dept, i.employee)
				}
			}
			narrowed("xmin", r, same)
			narrowed("xmin-window", r, window)
			if r.dept != nil && len(dept) < k {
				add("department", "instance %d: department %d kept with %d respondents", inst, *r.dept, len(dept))
			}
			// 6. Counts: an instance's answers are linked to all who answered it.
			narrowed("count", r, everyone)
			// 7. Days: a day on fewer than k answers picks them out of the rest.
			if days[r.day] < k {
				add("day", "instance %d: %d answers released on %s", inst, days[r.day], r.day)
			}
		}
		// 8. Physical order: guess that the i-th answer on disk is the i-th invitation on disk,
		// or the i-th to have answered. More than half right on ten or more is a link.
		if n := len(resps); n >= 10 {
			byCtid, bySubmission := 0, 0
			for i, r := range resps {
				if i < len(invs) && invs[i].employee == r.author {
					byCtid++
				}
				if i < len(run.order[inst]) && run.order[inst][i] == r.author {
					bySubmission++
				}
			}
			if byCtid*2 > n || bySubmission*2 > n {
				add("ctid-order", "instance %d: physical order matches invitations %d/%d, submissions %d/%d", inst, byCtid, n, bySubmission, n)
			}
		}
		// 9. Pending answers: unreadable, and all of one length.
		rows, err = pool.Query(ctx, `SELECT sealed FROM survey_pending WHERE instance_id = $1`, inst)
		if err != nil {
			t.Fatal(err)
		}
		sizes := map[int]bool{}
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			sizes[len(b)] = true
			for marker := range run.author {
				if bytes.Contains(b, []byte(marker)) {
					add("pending", "instance %d: a pending answer reads %q", inst, marker)
				}
			}
			if bytes.Contains(b, []byte(`"r":`)) {
				add("pending", "instance %d: a pending answer is in clear", inst)
			}
		}
		rows.Close()
		if len(sizes) > 1 {
			add("pending", "instance %d: pending answers of %d different lengths", inst, len(sizes))
		}
	}
	return found
}

// Erasing one's data removes the record of the surveys one was invited to (and whether one
// answered); the answers, which hold nothing of the person, are not touched.
func TestErasureRemovesSurveyInvitations(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 3)
	ctx := context.Background()
	f.instance(t, "polso", "pulse:erasure", f.dept["S1"])
	who := f.dept["S1"][0]
	if err := postgres.NewStore(f.pool).ErasePersonalData(ctx, who, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE employee_id = $1`, who); n != 0 {
		t.Errorf("%d survey invitations of the erased person remain", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations`); n != len(f.dept["S1"])-1 {
		t.Errorf("%d invitations left, want the other %d", n, len(f.dept["S1"])-1)
	}
}
