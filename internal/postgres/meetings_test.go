package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/pairing"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// meetOutbox stands in for River's queue: it writes each notice into a table in the caller's
// transaction, so that a rolled-back change leaves no message, as with River.
type meetOutbox struct{}

var _ postgres.Outbox = meetOutbox{}

func (meetOutbox) PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	for _, n := range notices {
		if _, err := tx.Exec(ctx, `INSERT INTO test_meet_outbox (key, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			n.Key, n.Channel); err != nil {
			return err
		}
	}
	return nil
}

func (meetOutbox) TeamChannelTx(context.Context, pgx.Tx, int64) error { return nil }

// meetFixture is a small organisation: two adjacent sites, two areas with a settore each (the
// department level), a servizio, and people in and around them.
type meetFixture struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	store *postgres.Store
	ids   map[string]int64
	units map[string]int64
	sites map[string]int64
	t0    time.Time
}

func newMeetFixture(t *testing.T) *meetFixture {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	f := &meetFixture{ctx: ctx, pool: pool, ids: map[string]int64{}, units: map[string]int64{}, sites: map[string]int64{},
		store: postgres.NewStore(pool, postgres.WithDepartmentType("Settore"), postgres.WithOutbox(meetOutbox{})),
		t0:    time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	_, err := pool.Exec(ctx, `
		CREATE TABLE test_meet_outbox (n bigint GENERATED ALWAYS AS IDENTITY, key text PRIMARY KEY, channel text NOT NULL);
		INSERT INTO sites (code, name) VALUES ('PC', 'Palazzo Comunale'), ('PB', 'Palazzo Banci'), ('MZ', 'Magazzino');
		INSERT INTO site_adjacency (site_a, site_b) SELECT a.id, b.id FROM sites a, sites b WHERE a.code = 'PC' AND b.code = 'PB';
		INSERT INTO org_units (code, name, type_label, site_id) SELECT 'A01', 'Area Territorio', 'Area', id FROM sites WHERE code = 'PB';
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT 'A01-S01', 'Settore Urbanistica', 'Settore', u.id, s.id FROM org_units u, sites s WHERE u.code = 'A01' AND s.code = 'PC';
		INSERT INTO org_units (code, name, type_label, parent_id)
			SELECT 'A01-S01-V01', 'Servizio Piani', 'Servizio', id FROM org_units WHERE code = 'A01-S01';
		INSERT INTO org_units (code, name, type_label) VALUES ('A02', 'Area Persone', 'Area');
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A02-S01', 'Settore Cultura', 'Settore', id FROM org_units WHERE code = 'A02';
		INSERT INTO employees (display_name, email, unit_id, locale, active, erased_at) VALUES
			('Anna', 'anna.bianchi@comune.example.it', (SELECT id FROM org_units WHERE code = 'A01-S01-V01'), 'it', true, NULL),
			('Bruno', 'bruno.verdi@comune.example.it', (SELECT id FROM org_units WHERE code = 'A01'), 'en', true, NULL),
			('Carla', 'carla.rossi@comune.example.it', (SELECT id FROM org_units WHERE code = 'A02-S01'), NULL, true, NULL),
			('Dario', 'dario.neri@comune.example.it', (SELECT id FROM org_units WHERE code = 'A01-S01'), NULL, true, NULL),
			('Elena', 'elena@comune.example.it', NULL, NULL, true, NULL),
			('Fabio', 'fabio@comune.example.it', (SELECT id FROM org_units WHERE code = 'A02-S01'), NULL, false, NULL),
			('', NULL, (SELECT id FROM org_units WHERE code = 'A02-S01'), NULL, false, now()),
			('Hugo', 'elena@altro.example.it', NULL, NULL, true, NULL);
		INSERT INTO employee_identities (transport, external_id, employee_id)
			SELECT 'slack', 'UANNA', id FROM employees WHERE display_name = 'Anna'
			UNION ALL SELECT 'console', 'anna', id FROM employees WHERE display_name = 'Anna'
			UNION ALL SELECT 'slack', 'UBRUNO', id FROM employees WHERE display_name = 'Bruno'
			UNION ALL SELECT 'console', 'carla', id FROM employees WHERE display_name = 'Carla'
			UNION ALL SELECT 'console', 'dario', id FROM employees WHERE display_name = 'Dario'
			UNION ALL SELECT 'console', 'elena', id FROM employees WHERE display_name = 'Elena'
			UNION ALL SELECT 'console', 'fabio', id FROM employees WHERE display_name = 'Fabio';
	`)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	rows, _ := pool.Query(ctx, `SELECT coalesce(nullif(display_name, ''), 'Gina'), id FROM employees`)
	f.ids = collectMap(t, rows)
	rows, _ = pool.Query(ctx, `SELECT code, id FROM org_units`)
	f.units = collectMap(t, rows)
	rows, _ = pool.Query(ctx, `SELECT code, id FROM sites`)
	f.sites = collectMap(t, rows)
	return f
}

func collectMap(t *testing.T, rows pgx.Rows) map[string]int64 {
	t.Helper()
	var (
		k string
		v int64
	)
	m := map[string]int64{}
	if _, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error { m[k] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *meetFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(f.ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (f *meetFixture) programme(t *testing.T, name string, size, lookback int, members ...string) bot.Programme {
	t.Helper()
	next := f.t0
	settings := bot.DefaultProgrammeSettings("Europe/Rome")
	settings.Name, settings.Cron, settings.GroupSize, settings.Format = name, "0 9 * * 1", size, bot.FormatOnline
	settings.Starters, settings.Lookback = []string{"Un libro?", "Un viaggio?"}, lookback
	p, err := f.store.CreateProgramme(f.ctx, bot.ProgrammeInput{CoordinatorID: f.ids["Anna"], NextRoundAt: &next, ProgrammeSettings: settings})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := f.store.Join(f.ctx, p.ID, f.ids[m]); err != nil {
			t.Fatalf("join %s: %v", m, err)
		}
	}
	return p
}

// record stores round n (1-based, weekly from t0) of groups of names.
func (f *meetFixture) record(t *testing.T, p bot.Programme, week int, groups [][]string, notices func(bot.Round, []bot.PersonRef) ([]bot.Notice, error)) (bot.Round, bool) {
	t.Helper()
	at := f.t0.AddDate(0, 0, 7*week)
	rec := bot.RoundRecord{ProgrammeID: p.ID, ScheduledFor: at, NudgeAt: at.AddDate(0, 0, 2), FollowUpAt: at.AddDate(0, 0, 5)}
	for i, g := range groups {
		rg := bot.RoundGroup{Number: i + 1, Starter: fmt.Sprintf("starter %d", i+1), Slot: at.Add(time.Duration(i+1) * time.Hour)}
		for _, name := range g {
			rg.Members = append(rg.Members, f.ids[name])
		}
		rec.Groups = append(rec.Groups, rg)
	}
	r, ran, err := f.store.RecordRound(f.ctx, rec, notices)
	if err != nil {
		t.Fatalf("record week %d: %v", week, err)
	}
	return r, ran
}

func (f *meetFixture) plan(t *testing.T, p bot.Programme) bot.RoundPlan {
	t.Helper()
	plan, err := f.store.RoundPlan(f.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func participant(plan bot.RoundPlan, id int64) (pairing.Participant, bool) {
	i := slices.IndexFunc(plan.Input.Participants, func(p pairing.Participant) bool { return p.ID == id })
	if i < 0 {
		return pairing.Participant{}, false
	}
	return plan.Input.Participants[i], true
}

func names(people []bot.PersonRef) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.Name)
	}
	slices.Sort(out)
	return out
}

func TestCreateAndLoadProgramme(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	next := f.t0
	settings := bot.DefaultProgrammeSettings("Europe/Rome")
	settings.Name, settings.Cron, settings.GroupSize, settings.AudienceChannel = "Caffè al buio", "0 9 * * 1", 3, "C123"
	settings.Format, settings.Starters, settings.Lookback = bot.FormatInPerson, []string{"Un libro?"}, 4
	p, err := f.store.CreateProgramme(f.ctx, bot.ProgrammeInput{CoordinatorID: f.ids["Anna"], NextRoundAt: &next, ProgrammeSettings: settings})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || p.Name != "Caffè al buio" || p.Cron != "0 9 * * 1" || p.EveryNWeeks != 1 || p.Timezone != "Europe/Rome" ||
		p.GroupSize != 3 || p.AudienceChannel != "C123" || p.MeetingMinutes != 30 || p.Format != bot.FormatInPerson ||
		!slices.Equal(p.Starters, []string{"Un libro?"}) || p.FollowUpDays != 5 || p.Lookback != 4 || !p.Active ||
		p.NextRoundAt == nil || !p.NextRoundAt.Equal(next) || p.CreatedAt.IsZero() || p.Participants != 0 {
		t.Errorf("created %+v", p)
	}
	if c := p.Coordinator; c == nil || *c != (bot.PersonRef{ID: f.ids["Anna"], Name: "Anna", SlackUserID: "UANNA", Handle: "anna", Locale: "it"}) {
		t.Errorf("coordinator %+v", c)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'meeting.programme.create' AND actor_id = $1`, f.ids["Anna"]); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	for _, m := range []string{"Bruno", "Carla"} {
		if _, err := f.store.Join(f.ctx, p.ID, f.ids[m]); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.Leave(f.ctx, p.ID, f.ids["Carla"]); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Programme(f.ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Participants != 1 || got.Name != p.Name || got.Coordinator == nil {
		t.Errorf("loaded %+v", got)
	}

	// Without a coordinator, inactive, not due.
	later := f.t0.AddDate(0, 0, 7)
	other, err := f.store.CreateProgramme(f.ctx, bot.ProgrammeInput{NextRoundAt: &later, ProgrammeSettings: bot.ProgrammeSettings{Name: "Altro", Cron: "0 9 * * 2",
		EveryNWeeks: 2, Timezone: "Europe/London", GroupSize: 2, MeetingMinutes: 45, Format: bot.FormatEither, FollowUpDays: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if other.Coordinator != nil || other.EveryNWeeks != 2 || other.Timezone != "Europe/London" || other.MeetingMinutes != 45 ||
		other.FollowUpDays != 3 || other.Starters == nil || len(other.Starters) != 0 {
		t.Errorf("other %+v", other)
	}
	due, err := f.store.DueProgrammes(f.ctx, f.t0.Add(time.Minute))
	if err != nil || len(due) != 1 || due[0].ID != p.ID {
		t.Errorf("due %+v %v", due, err)
	}
	if _, err := f.pool.Exec(f.ctx, `UPDATE meeting_programmes SET active = false WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if due, err := f.store.DueProgrammes(f.ctx, f.t0.AddDate(0, 1, 0)); err != nil || len(due) != 1 || due[0].ID != other.ID {
		t.Errorf("due after deactivation %+v %v", due, err)
	}
	if all, err := f.store.Programmes(f.ctx); err != nil || len(all) != 1 || all[0].ID != other.ID {
		t.Errorf("active programmes %+v %v", all, err)
	}
	if _, err := f.store.Programme(f.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing programme: %v", err)
	}
}

func TestJoinPauseLeave(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0)
	anna := f.ids["Anna"]
	type state struct {
		paused, missed int
		auto, left     bool
	}
	load := func() state {
		var s state
		if err := f.pool.QueryRow(f.ctx, `SELECT paused_rounds, missed_in_row, auto_paused, left_at IS NOT NULL
			FROM meeting_participants WHERE programme_id = $1 AND employee_id = $2`, p.ID, anna).Scan(&s.paused, &s.missed, &s.auto, &s.left); err != nil {
			t.Fatal(err)
		}
		return s
	}
	join := func() bool {
		already, err := f.store.Join(f.ctx, p.ID, anna)
		if err != nil {
			t.Fatal(err)
		}
		return already
	}
	steps := []struct {
		name        string
		do          func() bool // returns "already" for joins
		wantAlready bool
		want        state
		enrolled    bool
	}{
		{"first join", join, false, state{}, true},
		{"second join", join, true, state{}, true},
		{"pause 3", func() bool { return f.store.Pause(f.ctx, p.ID, anna, 3) != nil }, false, state{paused: 3}, true},
		{"join clears the pause", join, false, state{}, true},
		{"auto-paused", func() bool {
			_, err := f.pool.Exec(f.ctx, `UPDATE meeting_participants SET auto_paused = true, missed_in_row = 3 WHERE employee_id = $1`, anna)
			return err != nil
		}, false, state{auto: true, missed: 3}, true},
		{"join clears the auto-pause", join, false, state{}, true},
		{"leave", func() bool { return f.store.Leave(f.ctx, p.ID, anna) != nil }, false, state{left: true}, false},
		{"join again", join, false, state{}, true},
	}
	for _, st := range steps {
		if got := st.do(); got != st.wantAlready {
			t.Errorf("%s: already/failed = %v, want %v", st.name, got, st.wantAlready)
		}
		if s := load(); s != st.want {
			t.Errorf("%s: state %+v, want %+v", st.name, s, st.want)
		}
		es, err := f.store.Enrolments(f.ctx, anna)
		if err != nil {
			t.Fatal(err)
		}
		if st.enrolled != (len(es) == 1) {
			t.Errorf("%s: enrolments %+v", st.name, es)
		} else if st.enrolled && (es[0].ProgrammeID != p.ID || es[0].ProgrammeName != "Caffè" || es[0].NextRoundAt == nil ||
			es[0].PausedRounds != st.want.paused || es[0].AutoPaused != st.want.auto) {
			t.Errorf("%s: enrolment %+v", st.name, es[0])
		}
	}

	for name, err := range map[string]error{
		"pause a non-member":      f.store.Pause(f.ctx, p.ID, f.ids["Bruno"], 1),
		"leave a non-member":      f.store.Leave(f.ctx, p.ID, f.ids["Bruno"]),
		"leave twice":             func() error { _ = f.store.Leave(f.ctx, p.ID, anna); return f.store.Leave(f.ctx, p.ID, anna) }(),
		"join a missing program":  func() error { _, err := f.store.Join(f.ctx, 9999, anna); return err }(),
		"join a missing employee": func() error { _, err := f.store.Join(f.ctx, p.ID, 9999); return err }(),
		"never with a stranger":   f.store.NeverWith(f.ctx, anna, 9999),
	} {
		if !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	// Never with oneself is the core's to refuse: the store writes nothing and says nothing
	// user-facing about it.
	var ue *bot.Error
	if err := f.store.NeverWith(f.ctx, anna, anna); err == nil || errors.As(err, &ue) {
		t.Errorf("never with oneself: %v, want a plain (not user-facing) error", err)
	}
}

func TestRoundPlan(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 1, "Anna", "Bruno", "Carla", "Dario", "Elena", "Fabio")
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO meeting_participants (programme_id, employee_id) VALUES ($1, $2)`, p.ID, f.ids["Gina"]); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Pause(f.ctx, p.ID, f.ids["Elena"], 1); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Leave(f.ctx, p.ID, f.ids["Carla"]); err != nil {
		t.Fatal(err)
	}
	for _, nw := range [][2]string{{"Anna", "Bruno"}, {"Anna", "Bruno"}, {"Dario", "Anna"}, {"Bruno", "Carla"}, {"Anna", "Hugo"}, {"Fabio", "Dario"}} {
		if err := f.store.NeverWith(f.ctx, f.ids[nw[0]], f.ids[nw[1]]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO collaboration_edges (employee_a, employee_b, source)
		SELECT least(a, b), greatest(a, b), 'import' FROM unnest($1::bigint[], $2::bigint[]) AS x(a, b)`,
		[]int64{f.ids["Anna"], f.ids["Bruno"], f.ids["Elena"]}, []int64{f.ids["Dario"], f.ids["Carla"], f.ids["Fabio"]}); err != nil {
		t.Fatal(err)
	}

	plan := f.plan(t, p)
	pc, pb := f.sites["PC"], f.sites["PB"]
	want := []pairing.Participant{
		{ID: f.ids["Anna"], Department: f.units["A01-S01"], Unit: f.units["A01-S01-V01"], Site: pc},
		{ID: f.ids["Bruno"], Department: 0, Unit: f.units["A01"], Site: pb},
		{ID: f.ids["Dario"], Department: f.units["A01-S01"], Unit: f.units["A01-S01"], Site: pc},
		{ID: f.ids["Elena"], Paused: true},
	}
	if !slices.Equal(plan.Input.Participants, want) {
		t.Errorf("participants\n%+v\nwant\n%+v", plan.Input.Participants, want)
	}
	pair := func(a, b string) [2]int64 { return [2]int64{f.ids[a], f.ids[b]} }
	if !slices.Equal(plan.Input.NeverWith, [][2]int64{pair("Anna", "Bruno"), pair("Dario", "Anna")}) {
		t.Errorf("never with %v", plan.Input.NeverWith)
	}
	if !slices.Equal(plan.Input.Links, [][2]int64{pair("Anna", "Dario")}) {
		t.Errorf("links %v", plan.Input.Links)
	}
	if !slices.Equal(plan.Input.AdjacentSites, [][2]int64{{min(pc, pb), max(pc, pb)}}) {
		t.Errorf("adjacent %v", plan.Input.AdjacentSites)
	}
	if plan.Input.GroupSize != 2 || plan.Input.MaxLookback != 1 || plan.Rounds != 0 || len(plan.Input.History) != 0 || plan.Programme.ID != p.ID {
		t.Errorf("plan %+v", plan)
	}
	if len(plan.People) != 4 || plan.People[f.ids["Bruno"]] != (bot.PersonRef{ID: f.ids["Bruno"], Name: "Bruno", SlackUserID: "UBRUNO", Locale: "en"}) ||
		plan.People[f.ids["Dario"]].Handle != "dario" {
		t.Errorf("people %+v", plan.People)
	}

	// History: the last lookback rounds, oldest first; all (up to a bound) for lookback 0. An
	// empty round keeps its place.
	f.record(t, p, 0, [][]string{{"Anna", "Elena"}, {"Bruno", "Dario"}}, nil)
	f.record(t, p, 1, nil, nil)
	f.record(t, p, 2, [][]string{{"Anna", "Bruno"}, {"Dario", "Elena", "Carla"}}, nil)
	ids := func(ns ...string) []int64 {
		var out []int64
		for _, n := range ns {
			out = append(out, f.ids[n])
		}
		slices.Sort(out)
		return out
	}
	same := func(a, b []pairing.Round) bool {
		return slices.EqualFunc(a, b, func(x, y pairing.Round) bool {
			return slices.EqualFunc(x, y, func(g, h []int64) bool { return slices.Equal(g, h) })
		})
	}
	last := pairing.Round{ids("Anna", "Bruno"), ids("Carla", "Dario", "Elena")}
	plan = f.plan(t, p)
	if !same(plan.Input.History, []pairing.Round{last}) || plan.Rounds != 3 {
		t.Errorf("history (lookback 1) %v, rounds %d", plan.Input.History, plan.Rounds)
	}
	if _, err := f.pool.Exec(f.ctx, `UPDATE meeting_programmes SET lookback = 0 WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	plan = f.plan(t, p)
	wantHist := []pairing.Round{{ids("Anna", "Elena"), ids("Bruno", "Dario")}, {}, last}
	if !same(plan.Input.History, wantHist) || plan.Input.MaxLookback != 0 {
		t.Errorf("history (lookback 0) %v, want %v", plan.Input.History, wantHist)
	}

	if _, err := f.store.RoundPlan(f.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing programme: %v", err)
	}
}

func TestRecordRound(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario", "Elena")
	at := f.t0
	next := f.t0.AddDate(0, 0, 7)
	rec := bot.RoundRecord{
		ProgrammeID: p.ID, ScheduledFor: at, Manual: true, NextRoundAt: &next,
		NudgeAt: at.AddDate(0, 0, 2), FollowUpAt: at.AddDate(0, 0, 5),
		Groups: []bot.RoundGroup{
			{Number: 1, Members: []int64{f.ids["Anna"], f.ids["Carla"]}, Starter: "Un libro?", Slot: at.Add(time.Hour)},
			{Number: 2, Members: []int64{f.ids["Bruno"], f.ids["Dario"]}, Starter: "Un viaggio?"},
		},
		LeftOut: []pairing.LeftOut{{ID: f.ids["Elena"], Reason: pairing.ReasonAlone}},
		Report:  pairing.Report{RequestedLookback: 0, Pairs: 2, NewPairs: 2, Weight: 14},
	}
	calls := 0
	notices := func(r bot.Round, auto []bot.PersonRef) ([]bot.Notice, error) {
		calls++
		var out []bot.Notice
		for _, g := range r.Groups {
			for _, m := range g.Members {
				out = append(out, bot.Notice{Key: fmt.Sprintf("round:%d:%d", r.ID, m.ID), Channel: m.Address()})
			}
		}
		return out, nil
	}
	r, ran, err := f.store.RecordRound(f.ctx, rec, notices)
	if err != nil || !ran {
		t.Fatalf("record: ran %v err %v", ran, err)
	}
	if r.ID == 0 || r.ProgrammeID != p.ID || r.Number != 1 || !r.ScheduledFor.Equal(at) || !r.Manual ||
		!r.NudgeAt.Equal(rec.NudgeAt) || !r.FollowUpAt.Equal(rec.FollowUpAt) ||
		!slices.Equal(r.LeftOut, rec.LeftOut) || r.Report != rec.Report || len(r.Groups) != 2 {
		t.Fatalf("round %+v", r)
	}
	g1, g2 := r.Groups[0], r.Groups[1]
	if g1.Number != 1 || g1.Starter != "Un libro?" || !g1.Slot.Equal(at.Add(time.Hour)) || g1.Arranged != nil ||
		!slices.Equal(names(g1.Members), []string{"Anna", "Carla"}) || g1.Members[0].SlackUserID != "UANNA" || g1.Members[1].Handle != "carla" {
		t.Errorf("group 1 %+v", g1)
	}
	if g2.Number != 2 || !g2.Slot.IsZero() || !slices.Equal(names(g2.Members), []string{"Bruno", "Dario"}) {
		t.Errorf("group 2 %+v", g2)
	}
	counts := func() [5]int {
		return [5]int{
			f.count(t, `SELECT count(*) FROM meeting_rounds`),
			f.count(t, `SELECT count(*) FROM meeting_groups`),
			f.count(t, `SELECT count(*) FROM meeting_participation WHERE answer IS NULL`),
			f.count(t, `SELECT count(*) FROM test_meet_outbox`),
			f.count(t, `SELECT count(*) FROM meeting_rounds WHERE reask_at = followup_at + interval '2 days'`),
		}
	}
	if c := counts(); c != [5]int{1, 2, 4, 4, 1} {
		t.Errorf("rows after the first record %v", c)
	}
	if got, _ := f.store.Programme(f.ctx, p.ID); got.NextRoundAt == nil || !got.NextRoundAt.Equal(next) {
		t.Errorf("next round %v", got.NextRoundAt)
	}

	// The same time again (another replica, a retry): nothing written, nothing sent.
	later := next.AddDate(0, 0, 7)
	rec.NextRoundAt = &later
	again, ran, err := f.store.RecordRound(f.ctx, rec, notices)
	if err != nil || ran || again.ID != r.ID || len(again.Groups) != 2 || calls != 1 {
		t.Errorf("second record: ran %v id %d (want %d) groups %d calls %d err %v", ran, again.ID, r.ID, len(again.Groups), calls, err)
	}
	if c := counts(); c != [5]int{1, 2, 4, 4, 1} {
		t.Errorf("rows after the second record %v", c)
	}
	if got, _ := f.store.Programme(f.ctx, p.ID); !got.NextRoundAt.Equal(next) {
		t.Errorf("next round moved by a refused record: %v", got.NextRoundAt)
	}

	// A failing notices callback rolls the round back.
	rec.ScheduledFor = next
	if _, _, err := f.store.RecordRound(f.ctx, rec, func(bot.Round, []bot.PersonRef) ([]bot.Notice, error) {
		return nil, errors.New("boom")
	}); err == nil {
		t.Error("a failing callback did not fail the record")
	}
	if c := counts(); c != [5]int{1, 2, 4, 4, 1} {
		t.Errorf("rows after a failed record %v", c)
	}
	r2, ran, err := f.store.RecordRound(f.ctx, rec, nil)
	if err != nil || !ran || r2.Number != 2 {
		t.Errorf("second round: %+v %v %v", r2, ran, err)
	}
	if _, _, err := f.store.RecordRound(f.ctx, bot.RoundRecord{ProgrammeID: 9999, ScheduledFor: at}, nil); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing programme: %v", err)
	}
}

func TestSilentRoundsAutoPause(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario")
	groups := [][]string{{"Anna", "Bruno"}, {"Carla", "Dario"}}
	var autoPaused [][]string
	notices := func(_ bot.Round, auto []bot.PersonRef) ([]bot.Notice, error) {
		autoPaused = append(autoPaused, names(auto))
		var out []bot.Notice
		for _, a := range auto {
			out = append(out, bot.Notice{Key: fmt.Sprintf("autopause:%d", a.ID), Channel: a.Address()})
		}
		return out, nil
	}
	missed := func(name string) (int, bool) {
		var (
			n    int
			auto bool
		)
		if err := f.pool.QueryRow(f.ctx, `SELECT missed_in_row, auto_paused FROM meeting_participants WHERE programme_id = $1 AND employee_id = $2`,
			p.ID, f.ids[name]).Scan(&n, &auto); err != nil {
			t.Fatal(err)
		}
		return n, auto
	}
	var rounds []bot.Round
	for week := range 4 {
		r, _ := f.record(t, p, week, groups, notices)
		rounds = append(rounds, r)
		switch week {
		case 0:
			// Dario always answers; Carla answers round 2 only.
			if _, err := f.store.Answer(f.ctx, r.ID, f.ids["Dario"], bot.MeetYes, bot.MeetSurvey{}); err != nil {
				t.Fatal(err)
			}
		case 1:
			for _, n := range []string{"Dario", "Carla"} {
				if _, err := f.store.Answer(f.ctx, r.ID, f.ids[n], bot.MeetNotYet, bot.MeetSurvey{}); err != nil {
					t.Fatal(err)
				}
			}
			if n, _ := missed("Carla"); n != 0 {
				t.Errorf("Carla's answer did not reset her count: %d", n)
			}
		case 2:
			if _, err := f.store.Answer(f.ctx, r.ID, f.ids["Dario"], bot.MeetNo, bot.MeetSurvey{}); err != nil {
				t.Fatal(err)
			}
			// The plan of round 4 already leaves out who is silent for the third time: the
			// record of round 4 pauses them, so they must not be in its groups.
			plan := f.plan(t, p)
			for name, want := range map[string]bool{"Anna": true, "Bruno": true, "Carla": false, "Dario": false} {
				if pp, ok := participant(plan, f.ids[name]); !ok || pp.Paused != want {
					t.Errorf("%s in the plan of round 4: %+v, paused want %v", name, pp, want)
				}
			}
		}
	}
	// Anna and Bruno were silent in rounds 1–3: the fourth record (which counts round 3)
	// auto-pauses them; Carla answered round 2, Dario every round.
	wantAuto := [][]string{nil, nil, nil, {"Anna", "Bruno"}}
	if !slices.EqualFunc(autoPaused, wantAuto, slices.Equal) {
		t.Errorf("auto-paused per round %v, want %v", autoPaused, wantAuto)
	}
	for name, want := range map[string][2]any{"Anna": {3, true}, "Bruno": {3, true}, "Carla": {1, false}, "Dario": {0, false}} {
		if n, auto := missed(name); n != want[0] || auto != want[1] {
			t.Errorf("%s: missed %d auto %v, want %v", name, n, auto, want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM test_meet_outbox WHERE key LIKE 'autopause:%'`); n != 2 {
		t.Errorf("auto-pause notices %d", n)
	}
	plan := f.plan(t, p)
	for name, want := range map[string]bool{"Anna": true, "Bruno": true, "Carla": false, "Dario": false} {
		if pp, ok := participant(plan, f.ids[name]); !ok || pp.Paused != want {
			t.Errorf("%s in the next plan: %+v (found %v), paused want %v", name, pp, ok, want)
		}
	}
	// An answer resets the count but not the auto-pause; joining again ends it.
	if res, err := f.store.Answer(f.ctx, rounds[3].ID, f.ids["Anna"], bot.MeetYes, bot.MeetSurvey{}); err != nil || res.Before != "" {
		t.Errorf("answer: before %q err %v", res.Before, err)
	}
	if n, auto := missed("Anna"); n != 0 || !auto {
		t.Errorf("after answering: missed %d auto %v", n, auto)
	}
	if already, err := f.store.Join(f.ctx, p.ID, f.ids["Anna"]); err != nil || already {
		t.Errorf("join after auto-pause: already %v err %v", already, err)
	}
	if pp, _ := participant(f.plan(t, p), f.ids["Anna"]); pp.Paused {
		t.Error("Anna still paused after joining again")
	}
	// Round 5 counts round 4: Bruno, already auto-paused, is not reported again.
	f.record(t, p, 4, [][]string{{"Carla", "Dario"}}, notices)
	if got := autoPaused[len(autoPaused)-1]; len(got) != 0 {
		t.Errorf("auto-paused again: %v", got)
	}
}

func TestPauseConsumedRoundByRound(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario")
	if err := f.store.Pause(f.ctx, p.ID, f.ids["Anna"], 2); err != nil {
		t.Fatal(err)
	}
	paused := func(name string) int {
		return f.count(t, `SELECT paused_rounds FROM meeting_participants WHERE programme_id = $1 AND employee_id = $2`, p.ID, f.ids[name])
	}
	for week, want := range []int{1, 0} {
		if pp, _ := participant(f.plan(t, p), f.ids["Anna"]); !pp.Paused {
			t.Errorf("week %d: Anna not paused in the plan", week)
		}
		// Bruno pauses after the plan was made and is grouped anyway: his pause waits.
		if week == 0 {
			if err := f.store.Pause(f.ctx, p.ID, f.ids["Bruno"], 1); err != nil {
				t.Fatal(err)
			}
			f.record(t, p, week, [][]string{{"Bruno", "Carla", "Dario"}}, nil)
		} else {
			f.record(t, p, week, [][]string{{"Carla", "Dario"}}, nil)
		}
		if got := paused("Anna"); got != want {
			t.Errorf("week %d: Anna's pause %d, want %d", week, got, want)
		}
	}
	if got := paused("Bruno"); got != 0 {
		t.Errorf("Bruno's pause %d, want 0 (sat out the second round)", got)
	}
	plan := f.plan(t, p)
	if pp, _ := participant(plan, f.ids["Anna"]); pp.Paused {
		t.Error("Anna still paused after two rounds")
	}
}

func TestClaimDueSteps(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario")
	r, _ := f.record(t, p, 0, [][]string{{"Anna", "Bruno"}, {"Carla", "Dario"}}, nil)
	// A due round of an inactive programme is never claimed.
	off := f.programme(t, "Spento", 2, 0, "Anna", "Bruno")
	f.record(t, off, 0, [][]string{{"Anna", "Bruno"}}, nil)
	if _, err := f.pool.Exec(f.ctx, `UPDATE meeting_programmes SET active = false WHERE id = $1`, off.ID); err != nil {
		t.Fatal(err)
	}
	if already, err := f.store.Arranged(f.ctx, r.ID, f.ids["Bruno"]); err != nil || already {
		t.Fatalf("arranged: %v %v", already, err)
	}
	if already, err := f.store.Arranged(f.ctx, r.ID, f.ids["Anna"]); err != nil || !already {
		t.Errorf("arranged twice: already %v err %v", already, err)
	}

	var (
		mu    sync.Mutex
		steps []bot.DueStep
	)
	notices := func(d bot.DueStep) ([]bot.Notice, error) {
		mu.Lock()
		steps = append(steps, d)
		mu.Unlock()
		var out []bot.Notice
		for _, g := range d.Groups {
			for _, m := range g.Members {
				out = append(out, bot.Notice{Key: fmt.Sprintf("%s:%d:%d", d.Step, d.Round.ID, m.ID), Channel: m.Address()})
			}
		}
		for _, m := range d.People {
			out = append(out, bot.Notice{Key: fmt.Sprintf("%s:%d:%d", d.Step, d.Round.ID, m.ID), Channel: m.Address()})
		}
		return out, nil
	}
	claim := func(now time.Time) int {
		t.Helper()
		steps = nil
		var (
			wg    sync.WaitGroup
			total [2]int
			errs  [2]error
		)
		for i := range 2 {
			wg.Go(func() { total[i], errs[i] = f.store.ClaimDueSteps(f.ctx, now, notices) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("claim: %v %v", errs[0], errs[1])
		}
		if total[0]+total[1] != len(steps) {
			t.Errorf("claimed %v, callbacks %d", total, len(steps))
		}
		return total[0] + total[1]
	}

	if n := claim(f.t0.AddDate(0, 0, 1)); n != 0 {
		t.Errorf("claimed %d steps before any was due", n)
	}
	if n := claim(f.t0.AddDate(0, 0, 3)); n != 1 || steps[0].Step != bot.StepNudge || steps[0].Round.ID != r.ID ||
		steps[0].Programme.ID != p.ID || len(steps[0].Groups) != 1 || steps[0].Groups[0].Number != 2 || len(steps[0].People) != 0 {
		t.Fatalf("nudge: %d steps %+v", n, steps)
	}
	if n := claim(f.t0.AddDate(0, 0, 4)); n != 0 {
		t.Errorf("nudge claimed again (%d)", n)
	}
	for name, a := range map[string]bot.MeetAnswer{"Anna": bot.MeetYes, "Bruno": bot.MeetNotYet} {
		if _, err := f.store.Answer(f.ctx, r.ID, f.ids[name], a, bot.MeetSurvey{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.Leave(f.ctx, p.ID, f.ids["Dario"]); err != nil {
		t.Fatal(err)
	}
	if n := claim(f.t0.AddDate(0, 0, 6)); n != 1 || steps[0].Step != bot.StepFollowUp ||
		!slices.Equal(names(steps[0].People), []string{"Carla"}) {
		t.Fatalf("follow-up: %d steps %+v", n, steps)
	}
	if n := claim(f.t0.AddDate(0, 0, 8)); n != 1 || steps[0].Step != bot.StepReask ||
		!slices.Equal(names(steps[0].People), []string{"Bruno"}) {
		t.Fatalf("re-ask: %d steps %+v", n, steps)
	}
	if n := claim(f.t0.AddDate(0, 1, 0)); n != 0 {
		t.Errorf("claimed %d steps after all were done", n)
	}
	if n := f.count(t, `SELECT count(*) FROM test_meet_outbox`); n != 2+1+1 {
		t.Errorf("notices %d, want 4", n)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_rounds WHERE programme_id = $1 AND nudged_at IS NULL`, off.ID); n != 1 {
		t.Errorf("the inactive programme's round was claimed")
	}
}

// Many due steps, two sweeps at once: each step goes to exactly one of them.
func TestClaimDueStepsConcurrently(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario")
	const rounds = 15
	for week := range rounds {
		f.record(t, p, week, [][]string{{"Anna", "Bruno"}, {"Carla", "Dario"}}, nil)
	}
	if _, err := f.pool.Exec(f.ctx, `UPDATE meeting_participation SET answer = 'not_yet' WHERE employee_id = $1`, f.ids["Anna"]); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	notices := func(d bot.DueStep) ([]bot.Notice, error) {
		mu.Lock()
		seen[fmt.Sprintf("%s:%d", d.Step, d.Round.ID)]++
		mu.Unlock()
		return []bot.Notice{{Key: fmt.Sprintf("%s:%d", d.Step, d.Round.ID), Channel: "C1"}}, nil
	}
	now := f.t0.AddDate(1, 0, 0)
	var (
		wg     sync.WaitGroup
		totals [2]int
		errs   [2]error
	)
	for i := range 2 {
		wg.Go(func() { totals[i], errs[i] = f.store.ClaimDueSteps(f.ctx, now, notices) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs[0], errs[1])
	}
	if totals[0]+totals[1] != 3*rounds || len(seen) != 3*rounds {
		t.Errorf("claimed %v, distinct steps %d, want %d", totals, len(seen), 3*rounds)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("step %s claimed %d times", k, n)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM test_meet_outbox`); n != 3*rounds {
		t.Errorf("notices %d", n)
	}
}

func TestAnswerArrangedAndLastRounds(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario", "Elena")
	at := f.t0
	r1, _, err := f.store.RecordRound(f.ctx, bot.RoundRecord{ProgrammeID: p.ID, ScheduledFor: at, NudgeAt: at, FollowUpAt: at,
		Groups:  []bot.RoundGroup{{Number: 1, Members: []int64{f.ids["Anna"], f.ids["Bruno"]}}, {Number: 2, Members: []int64{f.ids["Carla"], f.ids["Dario"]}}},
		LeftOut: []pairing.LeftOut{{ID: f.ids["Elena"], Reason: pairing.ReasonPaused}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := f.record(t, p, 1, [][]string{{"Anna", "Elena"}}, nil)

	for _, c := range []struct {
		name   string
		answer bot.MeetAnswer
		before bot.MeetAnswer
	}{
		{"Anna", bot.MeetNotYet, ""},
		{"Anna", bot.MeetYes, bot.MeetNotYet},
		{"Bruno", bot.MeetYes, ""},
		{"Carla", bot.MeetNo, ""},
	} {
		res, err := f.store.Answer(f.ctx, r1.ID, f.ids[c.name], c.answer, bot.MeetSurvey{})
		if err != nil || res.Before != c.before {
			t.Errorf("%s answers %s: before %q, want %q (%v)", c.name, c.answer, res.Before, c.before, err)
		}
	}
	if _, err := f.store.Answer(f.ctx, r1.ID, f.ids["Elena"], bot.MeetYes, bot.MeetSurvey{}); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("answer of a person not grouped: %v", err)
	}
	if _, err := f.store.Arranged(f.ctx, r1.ID, f.ids["Elena"]); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("arranged by a person not grouped: %v", err)
	}
	if _, err := f.store.Arranged(f.ctx, 9999, f.ids["Anna"]); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("arranged in a missing round: %v", err)
	}

	stats, err := f.store.LastRounds(f.ctx, p.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []bot.RoundStats{
		{RoundID: r2.ID, Number: 2, ScheduledFor: r2.ScheduledFor, Groups: 1, Grouped: 2, NoAnswer: 2},
		{RoundID: r1.ID, Number: 1, ScheduledFor: at, Groups: 2, Grouped: 4, LeftOut: 1, Met: 2, NotMet: 1, NoAnswer: 1},
	}
	if len(stats) != 2 || !stats[0].ScheduledFor.Equal(want[0].ScheduledFor) || !stats[1].ScheduledFor.Equal(at) {
		t.Fatalf("stats %+v", stats)
	}
	for i := range want {
		want[i].ScheduledFor = stats[i].ScheduledFor
		if stats[i] != want[i] {
			t.Errorf("stats[%d] = %+v, want %+v", i, stats[i], want[i])
		}
	}
	if stats, err := f.store.LastRounds(f.ctx, p.ID, 1); err != nil || len(stats) != 1 || stats[0].Number != 2 {
		t.Errorf("last 1: %+v %v", stats, err)
	}
}

func TestFindPerson(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	// Two people share the local part "elena": by e-mail local part it is ambiguous, but
	// Elena's console handle wins first.
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO employees (display_name, email) VALUES ('Ivo', 'ivo.x@comune.example.it'), ('Ivo bis', 'ivo.x@altro.example.it'),
		('Zoe', 'zoe.z@comune.example.it')`); err != nil {
		t.Fatal(err)
	}
	rows, _ := f.pool.Query(f.ctx, `SELECT display_name, id FROM employees WHERE display_name IN ('Zoe')`)
	zoe, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (int64, error) {
		var (
			n  string
			id int64
		)
		return id, r.Scan(&n, &id)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ref  string
		want int64 // 0: not found
	}{
		{"<@UANNA>", f.ids["Anna"]},
		{"<@UBRUNO|bruno>", f.ids["Bruno"]},
		{"<@UNOBODY>", 0},
		{"@anna", f.ids["Anna"]},
		{"@UBRUNO", f.ids["Bruno"]},
		{"@carla.rossi", f.ids["Carla"]},
		{"@Zoe.Z", zoe},
		{"zoe.z", zoe},
		{"@ivo.x", 0},
		{"@elena", f.ids["Elena"]},
		{"@fabio", 0},
		{"Dario.Neri@Comune.Example.it", f.ids["Dario"]},
		{"fabio@comune.example.it", 0},
		{fmt.Sprintf("#%d", f.ids["Bruno"]), f.ids["Bruno"]},
		{fmt.Sprintf("%d", f.ids["Carla"]), f.ids["Carla"]},
		{fmt.Sprintf("#%d", f.ids["Gina"]), 0},
		{"#99999", 0},
		{"", 0},
		{"@nobody", 0},
	} {
		p, err := f.store.FindPerson(f.ctx, c.ref)
		switch {
		case c.want == 0 && !errors.Is(err, bot.ErrNotFound):
			t.Errorf("%q: %+v %v, want ErrNotFound", c.ref, p, err)
		case c.want != 0 && (err != nil || p.ID != c.want):
			t.Errorf("%q: %+v %v, want id %d", c.ref, p, err, c.want)
		}
	}
	if p, _ := f.store.FindPerson(f.ctx, "@anna"); p != (bot.PersonRef{ID: f.ids["Anna"], Name: "Anna", SlackUserID: "UANNA", Handle: "anna", Locale: "it"}) {
		t.Errorf("Anna's ref %+v", p)
	}
}

func TestMeetingsPersonalData(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla")
	other := f.programme(t, "Pranzo", 2, 0, "Anna")
	if err := f.store.Leave(f.ctx, other.ID, f.ids["Anna"]); err != nil {
		t.Fatal(err)
	}
	for _, nw := range [][2]string{{"Anna", "Bruno"}, {"Carla", "Anna"}, {"Bruno", "Carla"}} {
		if err := f.store.NeverWith(f.ctx, f.ids[nw[0]], f.ids[nw[1]]); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := f.record(t, p, 0, [][]string{{"Anna", "Carla"}}, nil)
	if _, err := f.store.Answer(f.ctx, r.ID, f.ids["Anna"], bot.MeetYes, bot.MeetSurvey{}); err != nil {
		t.Fatal(err)
	}

	d, err := f.store.PersonalData(f.ctx, f.ids["Anna"])
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Meetings) != 2 || d.Meetings[0].ProgrammeName != "Caffè" || d.Meetings[0].LeftAt != nil ||
		d.Meetings[1].ProgrammeName != "Pranzo" || d.Meetings[1].LeftAt == nil {
		t.Errorf("enrolments %+v", d.Meetings)
	}
	if !slices.Equal(d.NeverWith, []int64{f.ids["Bruno"]}) {
		t.Errorf("never with %v (only Anna's own wishes)", d.NeverWith)
	}
	if len(d.MeetingRounds) != 1 || d.MeetingRounds[0].Answer != "met" || d.MeetingRounds[0].AnsweredAt == nil ||
		d.MeetingRounds[0].Round != 1 || d.MeetingRounds[0].Group != 1 || d.MeetingRounds[0].ProgrammeID != p.ID {
		t.Errorf("rounds %+v", d.MeetingRounds)
	}
	if d, err := f.store.PersonalData(f.ctx, f.ids["Dario"]); err != nil || d.Meetings == nil || d.NeverWith == nil || d.MeetingRounds == nil {
		t.Errorf("empty export has nil lists: %+v %v", d, err)
	}

	if err := f.store.ErasePersonalData(f.ctx, f.ids["Anna"], nil); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_never_with WHERE $1 IN (employee_id, other_id)`, f.ids["Anna"]); n != 0 {
		t.Errorf("never-with rows naming Anna after erasure: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_never_with`); n != 1 {
		t.Errorf("others' wishes lost: %d left", n)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_participants WHERE employee_id = $1 AND left_at IS NULL`, f.ids["Anna"]); n != 0 {
		t.Errorf("Anna still enrolled in %d programmes", n)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_participation WHERE employee_id = $1`, f.ids["Anna"]); n != 1 {
		t.Errorf("participation rows %d, want 1 kept for the rates", n)
	}
	if got, _ := f.store.Programme(f.ctx, p.ID); got.Participants != 2 {
		t.Errorf("participants after erasure %d", got.Participants)
	}
}

// The Slack sync's merge of a first-contact row carries meeting enrolments, wishes (both
// sides) and participation to the imported row.
func TestSlackMergeCarriesMeetings(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	imported := importEmployee(t, f.pool, "Zeno Blu", "zeno.blu@comune.example.it")
	adhoc, err := f.store.EnsureEmployee(f.ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "UZENO", DisplayName: "zeno"})
	if err != nil {
		t.Fatal(err)
	}
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno")
	if _, err := f.store.Join(f.ctx, p.ID, adhoc.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Pause(f.ctx, p.ID, adhoc.ID, 2); err != nil {
		t.Fatal(err)
	}
	for _, nw := range [][2]int64{{adhoc.ID, f.ids["Anna"]}, {f.ids["Bruno"], adhoc.ID}, {adhoc.ID, imported}} {
		if err := f.store.NeverWith(f.ctx, nw[0], nw[1]); err != nil {
			t.Fatal(err)
		}
	}
	r, _, err := f.store.RecordRound(f.ctx, bot.RoundRecord{ProgrammeID: p.ID, ScheduledFor: f.t0, NudgeAt: f.t0, FollowUpAt: f.t0,
		Groups: []bot.RoundGroup{{Number: 1, Members: []int64{adhoc.ID, f.ids["Anna"]}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Answer(f.ctx, r.ID, adhoc.ID, bot.MeetYes, bot.MeetSurvey{}); err != nil {
		t.Fatal(err)
	}

	rep, err := f.store.SyncSlackUsers(f.ctx, []bot.SlackUser{{ID: "UZENO", Name: "zeno", Email: "zeno.blu@comune.example.it"}})
	if err != nil || rep.Merged != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_participants WHERE programme_id = $1 AND employee_id = $2 AND paused_rounds = 2 AND left_at IS NULL`,
		p.ID, imported); n != 1 {
		t.Errorf("enrolment not carried over (%d)", n)
	}
	var pairs [][2]int64
	rows, _ := f.pool.Query(f.ctx, `SELECT employee_id, other_id FROM meeting_never_with ORDER BY 1, 2`)
	pairs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]int64{{f.ids["Bruno"], imported}, {imported, f.ids["Anna"]}}
	slices.SortFunc(want, func(a, b [2]int64) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		return int(a[1] - b[1])
	})
	if !slices.Equal(pairs, want) {
		t.Errorf("never-with after the merge %v, want %v (a wish about oneself dropped)", pairs, want)
	}
	if n := f.count(t, `SELECT count(*) FROM meeting_participation WHERE round_id = $1 AND employee_id = $2 AND answer = 'met'`, r.ID, imported); n != 1 {
		t.Errorf("participation not carried over (%d)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM employees WHERE id = $1`, adhoc.ID); n != 0 {
		t.Errorf("first-contact row still there")
	}
}

// BenchmarkRoundPlan50k loads the plan of a programme of 50,000 participants with a year of
// weekly rounds (pairs) behind it: 2.6 million memberships of history. Seeding them takes a
// few minutes; the plan itself about two seconds on a small machine.
func BenchmarkRoundPlan50k(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	store := postgres.NewStore(pool, postgres.WithDepartmentType("Settore"))
	const n, rounds = 50000, 52
	_, err := pool.Exec(ctx, fmt.Sprintf(`
		INSERT INTO org_units (code, name, type_label) SELECT 'S' || i, 'Settore ' || i, 'Settore' FROM generate_series(1, 40) i;
		INSERT INTO employees (display_name, email, unit_id)
			SELECT 'P' || i, 'p' || i || '@comune.example.it', (SELECT id FROM org_units WHERE code = 'S' || (1 + i %% 40))
			FROM generate_series(1, %[1]d) i;
		INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'U' || id, id FROM employees;
		INSERT INTO meeting_programmes (name, cron, group_size) VALUES ('Caffè', '0 9 * * 1', 2);
		INSERT INTO meeting_participants (programme_id, employee_id) SELECT 1, id FROM employees;
		INSERT INTO meeting_rounds (programme_id, number, scheduled_for, nudge_at, followup_at, reask_at)
			SELECT 1, r, now() + r * interval '7 days', now(), now(), now() FROM generate_series(1, %[2]d) r;
		INSERT INTO meeting_groups (round_id, number) SELECT r.id, g FROM meeting_rounds r, generate_series(1, %[1]d / 2) g;
		INSERT INTO meeting_participation (round_id, employee_id, group_id)
			SELECT r.id, e.id, g.id FROM meeting_rounds r CROSS JOIN employees e
			JOIN meeting_groups g ON g.round_id = r.id AND g.number = ((e.id - 1) / 2 + r.number * 7919) %% (%[1]d / 2) + 1
			ORDER BY r.id, e.id;
		ANALYZE;`, n, rounds))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		plan, err := store.RoundPlan(ctx, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Input.Participants) != n || len(plan.Input.History) != rounds || len(plan.People) != n {
			b.Fatalf("plan: %d participants, %d rounds", len(plan.Input.Participants), len(plan.Input.History))
		}
	}
}
