package jobs_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/indices"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// Two replicas run the conflict-notices check every second. Two pulses two months apart, k = 3:
// S1's conflict index goes from 25 to 50 (up 25, margin 10): its two dirigenti, and only they,
// are told, each once, with the figures; S2's goes from 25 to 33 (below the margin) and S3's
// from hidden (two answers kept with it: k−1) to 100: nobody hears about those. The Area's
// dirigente is not told about S1, which has dirigenti of its own.
func TestConflictNoticeReachesTheDepartmentsDirigentiOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	poolA, poolB := openPool(t, url), openPool(t, url)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := poolA.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO org_units (code, name, type_label) VALUES ('A', 'Area Servizi', 'Area')`)
	people := map[string][]int64{}
	for _, d := range []string{"S1", "S2", "S3", ""} {
		if d != "" {
			exec(`INSERT INTO org_units (code, name, type_label, parent_id) SELECT $1, 'Settore ' || $1, 'Settore', id FROM org_units WHERE code = 'A'`, d)
			exec(`INSERT INTO org_units (code, name, type_label, parent_id) SELECT $1 || '-U', 'Ufficio ' || $1, 'Servizio', id FROM org_units WHERE code = $1`, d)
		}
		for i := range 4 {
			var id int64
			err := poolA.QueryRow(ctx, `INSERT INTO employees (display_name, email, unit_id)
				VALUES ($1, $1 || '@comune.example.it', (SELECT id FROM org_units WHERE code = $2 || '-U')) RETURNING id`,
				fmt.Sprintf("p%s%d", d, i), d).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			exec(`INSERT INTO employee_identities (employee_id, transport, external_id) VALUES ($1, 'slack', $2)`, id, fmt.Sprintf("UP%s%d", d, i))
			people[d] = append(people[d], id)
		}
	}
	for _, h := range []struct{ name, slack, unit string }{
		{"Dina", "UDINA", "S1"}, {"Dario", "UDARIO", "S1"}, {"Sara", "USARA", "S2"}, {"Aldo", "UALDO", "A"},
	} {
		exec(`INSERT INTO employees (display_name, email) VALUES ($1, $1 || '@comune.example.it')`, h.name)
		exec(`INSERT INTO employee_identities (employee_id, transport, external_id) SELECT id, 'slack', $2 FROM employees WHERE display_name = $1`, h.name, h.slack)
		exec(`INSERT INTO employee_roles (employee_id, role) SELECT id, 'dirigente' FROM employees WHERE display_name = $1`, h.name)
		exec(`INSERT INTO manager_units (employee_id, unit_id) SELECT e.id, u.id FROM employees e, org_units u WHERE e.display_name = $1 AND u.code = $2`, h.name, h.unit)
	}

	surveys, err := postgres.NewSurveyStore(poolA, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{"jobs-test-survey-key-0123456789abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	var everyone []int64
	for _, ids := range people {
		everyone = append(everyone, ids...)
	}
	type batch struct {
		who      []int64
		conflict []int
	}
	now := indices.MonthOf(time.Now()).Add(-1)
	before := now.Add(-indices.NoticeGap)
	s1, s2, s3, none := people["S1"], people["S2"], people["S3"], people[""]
	for _, m := range []struct {
		month   indices.Month
		batches []batch
	}{
		{before, []batch{
			{[]int64{s3[0], none[0], none[1]}, []int{1, 3, 3}}, // S3 has 1 answered: not kept
			{[]int64{s3[1], s3[2], none[2]}, []int{1, 1, 3}},   // S3 has 3: these two are kept (k−1)
			{s1[:3], []int{2, 2, 2}},
			{s2[:3], []int{2, 2, 2}},
		}},
		{now, []batch{
			{s1[:3], []int{3, 3, 3}},
			{s2[:3], []int{2, 2, 3}},
			{s3[:3], []int{5, 5, 5}},
		}},
	} {
		inst, err := surveys.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: indices.PulseSubject(m.month), Audience: everyone})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range m.batches {
			for i, e := range b.who {
				r := survey.Response{"collaborazione": {N: 3}, "carico": {N: 3}, "obiettivi": {N: 4}, "possibilita": {N: 4},
					"conflitto": {N: b.conflict[i]}}
				if err := surveys.Submit(ctx, inst.ID, e, r); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := surveys.Release(ctx, inst.ID); err != nil || n != 3 {
				t.Fatalf("release: %d %v", n, err)
			}
		}
		if _, err := surveys.Close(ctx, inst.ID); err != nil {
			t.Fatal(err)
		}
	}

	outbox, err := jobs.NewOutbox(poolA)
	if err != nil {
		t.Fatal(err)
	}
	outbox.KeepTextsIn(postgres.NewOutbound(poolA))
	core := bot.New(bot.Config{Store: postgres.NewStore(poolA)})
	poster := &fakePoster{}
	cfg := jobs.Config{
		Metrics: metrics.New(), Poster: poster, CronSeconds: true, Due: postgres.NewStore(poolA),
		Schedules: []jobs.Schedule{jobs.ConflictNoticesSchedule("* * * * * *", postgres.ConflictNotices{K: 3},
			core.ConflictNotices, outbox, 10)},
	}
	startRunner(t, poolA, cfg)
	startRunner(t, poolB, cfg)

	deadline := time.Now().Add(testTimeout)
	for {
		var firings int
		if err := poolA.QueryRow(ctx, `SELECT count(*) FROM scheduled_runs WHERE schedule = $1`, jobs.ConflictNoticesScheduleName).Scan(&firings); err != nil {
			t.Fatal(err)
		}
		_, posts := poster.snapshot()
		if firings >= 3 && len(posts) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d firings, %d posts", testTimeout, firings, len(posts))
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // let any duplicate show up

	_, posts := poster.snapshot()
	var to []string
	for _, p := range posts {
		to = append(to, p.Channel)
		txt := p.Reply.PlainText()
		for _, want := range []string{"Settore S1", "*25*", "*50*", "3 risposte", "almeno 10 punti", "non una persona", "Ufficio S1"} {
			if !strings.Contains(txt, want) {
				t.Errorf("notice to %s lacks %q:\n%s", p.Channel, want, txt)
			}
		}
		var commands []string
		for _, c := range p.Reply.Choices {
			commands = append(commands, c.Command)
		}
		if !slices.Contains(commands, "incontri nuovo") || !slices.Contains(commands, "indici unita=S1") {
			t.Errorf("notice to %s: buttons %v", p.Channel, commands)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"UDARIO", "UDINA"}) {
		t.Fatalf("notices went to %v, want S1's two dirigenti once each", to)
	}
	var claims int
	if err := poolA.QueryRow(ctx, `SELECT count(*) FROM conflict_notices`).Scan(&claims); err != nil || claims != 1 {
		t.Fatalf("conflict_notices rows = %d, %v; want 1", claims, err)
	}
}
