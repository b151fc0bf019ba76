package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/indices"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/survey"
)

// pulseResponse is a valid answer to a pulse template with the index questions set.
func pulseResponse(t survey.Template, conflict, objectives, possibilities int) survey.Response {
	r := answer(t, 3, "")
	r[indices.QuestionConflict] = survey.Value{N: conflict}
	r[indices.QuestionObjectives] = survey.Value{N: objectives}
	r[indices.QuestionPossibilities] = survey.Value{N: possibilities}
	return r
}

// submitAll submits one response per employee, then releases them as one batch of want.
func submitAll(t *testing.T, s *postgres.SurveyStore, inst int64, who []int64, r survey.Response, want int) {
	t.Helper()
	ctx := context.Background()
	for _, e := range who {
		if err := s.Submit(ctx, inst, e, r); err != nil {
			t.Fatalf("submit %d: %v", e, err)
		}
	}
	if want < 0 {
		return
	}
	if n, err := s.Release(ctx, inst); err != nil || n != want {
		t.Fatalf("release: %d, %v; want %d", n, err, want)
	}
}

func closeInstance(t *testing.T, s *postgres.SurveyStore, inst int64) {
	t.Helper()
	if _, err := s.Close(context.Background(), inst); err != nil {
		t.Fatal(err)
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The indices per department at the k boundary (k = 5), with answers going the whole way
// through SurveyStore. The department rule keeps S2 with an answer only from the release at
// which five of S2 have answered: so in month A, where S2's first answer went out in an
// earlier batch, four answers carry S2 (k−1: hidden, the count shown), and in month B five do
// (k: shown). Month B's pulse is of another template key of purpose pulse (a re-made pulse
// still counts) and stays open until the end: closed-only queries leave it out until then.
func TestPulseIndicesAtTheKBoundary(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	_, pulse, err := f.store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	other := pulse
	other.Key, other.Title = "polso-bis", survey.Text{IT: "Il polso, seconda serie", EN: "The pulse, second series"}
	if _, err := f.store.ImportTemplates(ctx, []survey.Template{other}, 0); err != nil {
		t.Fatal(err)
	}
	// A survey of another purpose about the same people counts for nothing.
	meetingInst := f.instance(t, "incontro", "programme:1:round:1", f.dept["S2"])
	_, meeting, _ := f.store.LatestVersion(ctx, "incontro")
	submitAll(t, f.store, meetingInst, f.dept["S2"][:5], answer(meeting, 1, ""), 5)

	a, err := indices.ParseMonth("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	b := a.Add(1)
	s2, s3, none := f.dept["S2"], f.dept["S3"], f.dept[""]
	// Everyone in S2 perceives conflict 4 (75), everyone else 2 (25); awareness is 5 and 3,
	// pooled mean 4 (75), for all.
	hi, lo := pulseResponse(pulse, 4, 5, 3), pulseResponse(pulse, 2, 5, 3)

	instA := f.instance(t, "polso", indices.PulseSubject(a), f.all)
	submitAll(t, f.store, instA, s2[:1], hi, -1)
	submitAll(t, f.store, instA, append(append([]int64{}, s3...), none[0]), lo, 5) // S2 has 1 answered: not kept
	submitAll(t, f.store, instA, s2[1:5], hi, -1)
	submitAll(t, f.store, instA, none[1:], lo, 5) // S2 has 5 answered, but only 4 in this batch: not kept
	closeInstance(t, f.store, instA)

	instB, err := f.store.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso-bis", Subject: indices.PulseSubject(b), Audience: f.all})
	if err != nil {
		t.Fatal(err)
	}
	submitAll(t, f.store, instB.ID, s2[:1], hi, -1)
	submitAll(t, f.store, instB.ID, append(append([]int64{}, s3...), none[0]), lo, 5)
	submitAll(t, f.store, instB.ID, s2[1:6], hi, 5) // 6 of S2 answered: 5 kept

	closed, err := f.store.PulseIndices(ctx, indices.Query{From: a.Add(-1), To: b.Add(1), ClosedOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(closed) != 1 || closed[0].Month != a || !closed[0].Closed {
		t.Fatalf("closed only = %+v, want month A alone", closed)
	}
	all, err := f.store.PulseIndices(ctx, indices.Query{From: a, To: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[1].Month != b || all[1].Closed {
		t.Fatalf("all = %+v, want A and B (open)", all)
	}
	ma, mb := all[0], all[1]
	// Month A: council 10 responses, 5 at 4 and 5 at 2: mean 3, index 50; awareness 75.
	if ma.K != 5 || ma.Council.Respondents != 10 || !approx(ma.Council.Conflict.Value, 50) || !approx(ma.Council.Awareness.Value, 75) ||
		ma.Council.Conflict.Hidden || ma.Council.Conflict.Respondents != 10 {
		t.Errorf("month A council = %+v (k %d)", ma.Council, ma.K)
	}
	// S2: five answered, in two batches of one and four: a batch keeps a department only
	// with at least k of its answers, so none is kept and nothing is shown.
	if g := ma.Department(f.deptID["S2"]); !g.Conflict.Hidden || g.Conflict.Reason != indices.ReasonNone ||
		g.Conflict.Value != 0 || !g.Awareness.Hidden || g.Respondents != 0 {
		t.Errorf("month A S2 (k−1 in the batch) = %+v, want hidden, nothing kept", g)
	}
	// S3 has three people (fewer than k invitees): never kept, never shown.
	if g := ma.Department(f.deptID["S3"]); g.Conflict.Reason != indices.ReasonNone {
		t.Errorf("month A S3 = %+v", g)
	}
	// Month B: council 10, 6 at 4 and 4 at 2: mean 3.2, index 55; S2 5 kept at 4: 75.
	if !approx(mb.Council.Conflict.Value, 55) || mb.Council.Respondents != 10 {
		t.Errorf("month B council = %+v", mb.Council)
	}
	if g := mb.Department(f.deptID["S2"]); g.Conflict.Hidden || !approx(g.Conflict.Value, 75) || g.Conflict.Respondents != 5 ||
		g.Awareness.Hidden || !approx(g.Awareness.Value, 75) {
		t.Errorf("month B S2 (k = 5 kept) = %+v, want 75 shown", g)
	}
	if len(mb.Departments) != 1 {
		t.Errorf("month B departments = %+v, want S2 only", mb.Departments)
	}
}

// Who is told about a department's worsening: the people heading the department unit; when
// nobody heads it, the nearest unit above with a head (here the Area's dirigente) — never
// both, never someone who heads a unit below it. A claimed notice is not due again.
func TestConflictNoticeRecipients(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 3)
	ctx := context.Background()
	_, pulse, err := f.store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	head := func(name, slack string, units ...string) int64 {
		var id int64
		if err := f.pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ($1, $1 || '@comune.example.it') RETURNING id`,
			name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO employee_identities (employee_id, transport, external_id) VALUES ($1, 'slack', $2)`, []any{id, slack}},
			{`INSERT INTO employee_roles (employee_id, role) VALUES ($1, 'dirigente')`, []any{id}},
			{`INSERT INTO manager_units (employee_id, unit_id) SELECT $1, id FROM org_units WHERE code = ANY($2)`, []any{id, units}},
		} {
			if _, err := f.pool.Exec(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	areaHead := head("areahead", "UAREA", "A")
	s2Head := head("s2head", "US2", "S2")
	serviceHead := head("servicehead", "USV", "S1-SV") // heads a unit below S1: not S1's dirigente

	now := indices.MonthOf(time.Now()).Add(-1)
	before := now.Add(-indices.NoticeGap)
	for _, m := range []struct {
		month    indices.Month
		conflict int
	}{{before, 1}, {now, 3}} {
		inst := f.instance(t, "polso", indices.PulseSubject(m.month), append(append([]int64{}, f.dept["S1"]...), f.dept["S2"]...))
		submitAll(t, f.store, inst, f.dept["S1"][:3], pulseResponse(pulse, m.conflict, 3, 3), 3)
		submitAll(t, f.store, inst, f.dept["S2"][:3], pulseResponse(pulse, m.conflict, 3, 3), 3)
		closeInstance(t, f.store, inst)
	}
	src := postgres.ConflictNotices{K: 3}
	var due []int64
	err = pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		ws, err := src.DueConflictNoticesTx(ctx, tx, time.Now(), 10)
		if err != nil {
			return err
		}
		if len(ws) != 2 {
			t.Fatalf("due = %+v, want S1 and S2", ws)
		}
		for _, w := range ws {
			if w.Now != now || w.Before != before || !approx(w.BeforeFigure.Value, 0) || !approx(w.NowFigure.Value, 50) ||
				w.NowFigure.Respondents != 3 || len(w.Recipients) != 1 {
				t.Errorf("%s: %+v", w.Department.Code, w)
				continue
			}
			want := map[string]int64{"S1": areaHead, "S2": s2Head}[w.Department.Code]
			if r := w.Recipients[0]; r.ID != want || r.SlackUserID == "" {
				t.Errorf("%s told %+v, want employee %d", w.Department.Code, r, want)
			}
			if w.Department.Code == "S1" && (len(w.Offices) != 1 || w.Offices[0] != "S1-SV") {
				t.Errorf("S1 offices = %v", w.Offices)
			}
		}
		claimed, err := src.ClaimConflictNoticeTx(ctx, tx, ws[0], 1)
		if err != nil || !claimed {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if again, err := src.ClaimConflictNoticeTx(ctx, tx, ws[0], 1); err != nil || again {
			t.Fatalf("second claim: %v %v", again, err)
		}
		ws, err = src.DueConflictNoticesTx(ctx, tx, time.Now(), 10)
		for _, w := range ws {
			due = append(due, w.Department.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0] != f.deptID["S2"] {
		t.Fatalf("due after claiming S1 = %v, want S2 only", due)
	}
	// A margin above the rise (50 points) finds nothing; a pulse too old is not acted on.
	err = pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		if ws, err := src.DueConflictNoticesTx(ctx, tx, time.Now(), 51); err != nil || len(ws) != 0 {
			t.Errorf("margin 51: %+v %v", ws, err)
		}
		if ws, err := src.DueConflictNoticesTx(ctx, tx, time.Now().AddDate(0, 4, 0), 10); err != nil || len(ws) != 0 {
			t.Errorf("four months on: %+v %v", ws, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The message is due, right before it is sent, only while its reader still heads the
	// department or a unit above it.
	store := postgres.NewStore(f.pool)
	for _, c := range []struct {
		what string
		who  int64
		dept string
		want bool
	}{{"S2's head", s2Head, "S2", true}, {"the Area's head, for S1", areaHead, "S1", true},
		{"a head of a unit below S1", serviceHead, "S1", false}, {"S2's head, for S1", s2Head, "S1", false}} {
		ref := bot.NoticeRef{Kind: bot.RefUnitHead, ID: f.deptID[c.dept], People: []int64{c.who}}
		if got, err := store.MessageDue(ctx, ref); err != nil || got != c.want {
			t.Errorf("%s: due = %v, %v; want %v", c.what, got, err, c.want)
		}
	}
	if err := store.RevokeRole(ctx, 0, s2Head, bot.RoleManager); err != nil {
		t.Fatal(err)
	}
	ref := bot.NoticeRef{Kind: bot.RefUnitHead, ID: f.deptID["S2"], People: []int64{s2Head}}
	if got, err := store.MessageDue(ctx, ref); err != nil || got {
		t.Errorf("after the role was revoked: due = %v, %v", got, err)
	}
}
