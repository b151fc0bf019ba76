package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// projectFixture is a tiny organisation: Area A01 → Settore A01-S01 → Servizio A01-S01-V01, and
// Area A02; objectives OB1–OB3; three skills; Anna (Slack U1), Bruno heading A01, Carla heading
// A02.
type projectFixture struct {
	pool               *pgxpool.Pool
	store              *postgres.Store
	anna, bruno, carla int64
}

func newProjectFixture(t *testing.T) projectFixture {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := pool.Exec(ctx, `
		INSERT INTO org_units (code, name, type_label) VALUES ('A01', 'Area Territorio', 'Area'), ('A02', 'Area Servizi', 'Area');
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A01-S01', 'Settore Urbanistica', 'Settore', id FROM org_units WHERE code = 'A01';
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A01-S01-V01', 'Servizio Piani', 'Servizio', id FROM org_units WHERE code = 'A01-S01';
		INSERT INTO objectives (code, title) VALUES ('OB1', 'Città verde'), ('OB2', 'Comune digitale'), ('OB3', 'Meno conflitti');
		INSERT INTO skills (code, name_it, name_en, category) VALUES
			('gis', 'Sistemi informativi geografici', 'Geographic information systems', 'digitale'),
			('appalti', 'Appalti pubblici', 'Public procurement', 'giuridico'),
			('bilancio', 'Bilancio', 'Budgeting', 'economico');
		INSERT INTO employees (display_name, email) VALUES ('Anna Bianchi', 'anna@example.it'), ('Bruno Neri', 'bruno@example.it'),
			('Carla Verdi', 'carla@example.it');
		INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'U1', id FROM employees WHERE email = 'anna@example.it';
		INSERT INTO manager_units (employee_id, unit_id) SELECT e.id, u.id FROM employees e, org_units u WHERE e.email = 'bruno@example.it' AND u.code = 'A01';
		INSERT INTO manager_units (employee_id, unit_id) SELECT e.id, u.id FROM employees e, org_units u WHERE e.email = 'carla@example.it' AND u.code = 'A02';
	`)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	f := projectFixture{pool: pool, store: postgres.NewStore(pool)}
	for email, id := range map[string]*int64{"anna@example.it": &f.anna, "bruno@example.it": &f.bruno, "carla@example.it": &f.carla} {
		if err := pool.QueryRow(ctx, `SELECT id FROM employees WHERE email = $1`, email).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func ptr[T any](v T) *T { return &v }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// minimal returns a valid creation input.
func minimal(title string, objectives ...string) bot.ProjectInput {
	return bot.ProjectInput{Title: ptr(title), ObjectiveCodes: objectives}
}

func (f projectFixture) create(t *testing.T, in bot.ProjectInput) bot.Project {
	t.Helper()
	p, err := f.store.CreateProject(context.Background(), f.anna, in)
	if err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	return p
}

func (f projectFixture) counts(t *testing.T) [6]int {
	t.Helper()
	var c [6]int
	err := f.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM projects), (SELECT count(*) FROM project_objectives), (SELECT count(*) FROM project_units),
		(SELECT count(*) FROM project_skills), (SELECT count(*) FROM project_phase_history), (SELECT count(*) FROM audit_log)`).
		Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantConflict fails unless err is a user-facing ECONFLICT with key.
func wantConflict(t *testing.T, err error, key string) {
	t.Helper()
	var e *bot.Error
	if !errors.As(err, &e) || e.Code != bot.ECONFLICT || e.Key != key {
		t.Fatalf("error = %v, want ECONFLICT %s", err, key)
	}
}

func errIsKey(err error, key string) bool {
	var e *bot.Error
	return errors.As(err, &e) && e.Key == key
}

func TestCreateAndLoadProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	in := bot.ProjectInput{
		Title:          ptr("  Piste ciclabili  "),
		Description:    ptr("Una rete di piste"),
		ObjectiveCodes: []string{"OB2", "OB1", "OB1"},
		UnitCodes:      []string{"A01-S01-V01", "A02"},
		Skills:         []bot.SkillNeedInput{{Code: "gis", MinLevel: 2, Count: 2}, {Code: "appalti", MinLevel: 1, Count: 1}},
		TeamSize:       ptr(4),
		BudgetCents:    ptr(int64(1_250_000)),
		FundingSource:  ptr("PNRR"),
		PlannedStart:   ptr(day("2027-01-10")),
		PlannedEnd:     ptr(day("2027-06-30")),
	}
	created, err := f.store.CreateProject(ctx, f.anna, in)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.store.Project(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Piste ciclabili" || p.Description != "Una rete di piste" || p.TeamSize != 4 || p.BudgetCents != 1_250_000 ||
		p.FundingSource != "PNRR" || p.Phase != bot.PhaseIdeazione {
		t.Fatalf("fields: %+v", p)
	}
	if p.PlannedStart == nil || !p.PlannedStart.Equal(day("2027-01-10")) || p.PlannedEnd == nil || !p.PlannedEnd.Equal(day("2027-06-30")) {
		t.Fatalf("dates: %v %v", p.PlannedStart, p.PlannedEnd)
	}
	if p.Coordinator == nil || *p.Coordinator != (bot.PersonRef{ID: f.anna, Name: "Anna Bianchi", SlackUserID: "U1"}) {
		t.Fatalf("coordinator: %+v", p.Coordinator)
	}
	if len(p.Objectives) != 2 || p.Objectives[0] != (bot.ObjectiveRef{Code: "OB1", Title: "Città verde"}) || p.Objectives[1].Code != "OB2" {
		t.Fatalf("objectives: %+v", p.Objectives)
	}
	if len(p.Units) != 2 || p.Units[0] != (bot.UnitRef{Code: "A01-S01-V01", Name: "Servizio Piani", Type: "Servizio"}) || p.Units[1].Code != "A02" {
		t.Fatalf("units: %+v", p.Units)
	}
	wantSkills := []bot.SkillNeed{
		{Skill: bot.Skill{Code: "appalti", NameIT: "Appalti pubblici", NameEN: "Public procurement", Category: "giuridico"}, MinLevel: 1, Count: 1},
		{Skill: bot.Skill{Code: "gis", NameIT: "Sistemi informativi geografici", NameEN: "Geographic information systems", Category: "digitale"}, MinLevel: 2, Count: 2},
	}
	if len(p.Skills) != 2 || p.Skills[0] != wantSkills[0] || p.Skills[1] != wantSkills[1] {
		t.Fatalf("skills: %+v", p.Skills)
	}
	if len(p.History) != 1 || p.History[0].From != "" || p.History[0].To != bot.PhaseIdeazione || p.History[0].Actor != "Anna Bianchi" {
		t.Fatalf("history: %+v", p.History)
	}
	if p.CreatedAt.IsZero() || p.UpdatedAt.IsZero() {
		t.Fatal("timestamps not loaded")
	}

	// Assessments, indicators and measurements come back on the card, oldest first.
	if _, err := f.store.AddAssessment(ctx, p.ID, f.bruno, []bot.AssessmentAnswer{
		{Question: "org.staff", Score: 4, Justification: "ok"}, {Question: "eco.budget", Score: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddAssessment(ctx, p.ID, f.anna, []bot.AssessmentAnswer{{Question: "org.staff", Score: 5}}); err != nil {
		t.Fatal(err)
	}
	ind, err := f.store.AddIndicator(ctx, p.ID, bot.Indicator{Kind: "output", Name: "km di piste", Unit: "km", Baseline: 10, Target: 25, Direction: "up"})
	if err != nil {
		t.Fatal(err)
	}
	if ind.ID == 0 {
		t.Fatal("indicator without id")
	}
	for _, m := range []bot.Measurement{{On: day("2027-03-01"), Value: 14, Note: "marzo"}, {On: day("2027-02-01"), Value: 12}} {
		if err := f.store.RecordMeasurement(ctx, p.ID, ind.ID, f.anna, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.store.ChangePhase(ctx, p.ID, f.bruno, bot.PhaseIdeazione, bot.PhaseProgettazione, "via", "", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	p, err = f.store.Project(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Assessments) != 2 || p.Assessments[0].Version != 1 || p.Assessments[0].Assessor != "Bruno Neri" ||
		len(p.Assessments[0].Answers) != 2 || p.Assessments[0].Answers[0] != (bot.AssessmentAnswer{Question: "eco.budget", Score: 2}) ||
		p.Assessments[0].Answers[1] != (bot.AssessmentAnswer{Question: "org.staff", Score: 4, Justification: "ok"}) ||
		p.Assessments[1].Version != 2 || len(p.Assessments[1].Answers) != 1 {
		t.Fatalf("assessments: %+v", p.Assessments)
	}
	if len(p.Indicators) != 1 || p.Indicators[0].Name != "km di piste" || p.Indicators[0].Unit != "km" || p.Indicators[0].Target != 25 ||
		len(p.Indicators[0].Measurements) != 2 || !p.Indicators[0].Measurements[0].On.Equal(day("2027-02-01")) ||
		p.Indicators[0].Measurements[1] != (bot.Measurement{On: day("2027-03-01"), Value: 14, Note: "marzo"}) {
		t.Fatalf("indicators: %+v", p.Indicators)
	}
	if len(p.History) != 2 || p.History[1].From != bot.PhaseIdeazione || p.History[1].To != bot.PhaseProgettazione ||
		p.History[1].Actor != "Bruno Neri" || p.History[1].Note != "via" || p.History[1].Override != "" {
		t.Fatalf("history: %+v", p.History)
	}
	if p.Phase != bot.PhaseProgettazione {
		t.Fatalf("phase = %s", p.Phase)
	}

	var audits int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'project.create' AND actor_id = $1`, f.anna).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 1 {
		t.Fatalf("project.create audit rows = %d", audits)
	}
}

func TestProjectNotFound(t *testing.T) {
	t.Parallel()
	f := newProjectFixture(t)
	if _, err := f.store.Project(context.Background(), 999); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestCreateProjectDefaults(t *testing.T) {
	t.Parallel()
	f := newProjectFixture(t)
	p := f.create(t, minimal("Solo titolo", "OB1"))
	if p.TeamSize != 3 || p.BudgetCents != 0 || p.PlannedStart != nil || p.Coordinator == nil || p.Coordinator.ID != f.anna ||
		len(p.Units) != 0 || len(p.Skills) != 0 {
		t.Fatalf("defaults: %+v", p)
	}
	q, err := f.store.CreateProject(context.Background(), f.anna, bot.ProjectInput{Title: ptr("Di Bruno"), ObjectiveCodes: []string{"OB1"},
		CoordinatorID: ptr(f.bruno)})
	if err != nil {
		t.Fatal(err)
	}
	if q.Coordinator.ID != f.bruno || q.Coordinator.SlackUserID != "" {
		t.Fatalf("coordinator: %+v", q.Coordinator)
	}
}

// TestCreateProjectRefusesUnknownReferences: what only the database knows (the catalogues'
// codes, the active employees) is an ENOTFOUND *Error, found before the project's row is
// inserted, so that a refused project takes no number.
func TestCreateProjectRefusesUnknownReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	valid := func(mod func(*bot.ProjectInput)) bot.ProjectInput {
		in := bot.ProjectInput{Title: ptr("Valido"), ObjectiveCodes: []string{"OB1"}, UnitCodes: []string{"A01"},
			Skills: []bot.SkillNeedInput{{Code: "gis", MinLevel: 1, Count: 1}}}
		mod(&in)
		return in
	}
	cases := []struct {
		name string
		in   bot.ProjectInput
		key  string
		args []any
	}{
		{"unknown objective", valid(func(in *bot.ProjectInput) { in.ObjectiveCodes = []string{"OB1", "OB9"} }), "project.error.unknown_objective", []any{"code", "OB9"}},
		{"unknown unit", valid(func(in *bot.ProjectInput) { in.UnitCodes = []string{"A01", "Z99"} }), "project.error.unknown_unit", []any{"code", "Z99"}},
		{"unknown skill", valid(func(in *bot.ProjectInput) {
			in.Skills = []bot.SkillNeedInput{{Code: "gis", MinLevel: 1, Count: 1}, {Code: "cucina", MinLevel: 1, Count: 1}}
		}), "project.error.unknown_skill", []any{"code", "cucina"}},
		{"unknown coordinator", valid(func(in *bot.ProjectInput) { in.CoordinatorID = ptr(int64(999)) }), "project.error.unknown_coordinator", nil},
	}
	for _, c := range cases {
		before := f.counts(t)
		_, err := f.store.CreateProject(ctx, f.anna, c.in)
		var e *bot.Error
		if !errors.As(err, &e) || e.Code != bot.ENOTFOUND || e.Key != c.key {
			t.Fatalf("%s: error = %v, want ENOTFOUND %s", c.name, err, c.key)
		}
		if c.args != nil && !sameArgs(e.Args, c.args) {
			t.Errorf("%s: args = %v, want %v", c.name, e.Args, c.args)
		}
		if after := f.counts(t); after != before {
			t.Errorf("%s: rows changed %v → %v", c.name, before, after)
		}
	}
	// None of the refusals took a number: the next project is the first.
	if p := f.create(t, minimal("Primo", "OB1")); p.ID != 1 {
		t.Fatalf("first project after %d refusals has id %d, want 1", len(cases), p.ID)
	}
}

// TestStoreChecksNoLimits: the limits are the core's (bot.ProjectInput.Validate). The store
// answers an input the core would refuse with no user-facing error: what the schema's CHECK
// constraints catch is an internal error (the core let it through), and what they allow is
// stored as given.
func TestStoreChecksNoLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	for name, in := range map[string]bot.ProjectInput{
		"long title":      {Title: ptr(strings.Repeat("x", 201)), ObjectiveCodes: []string{"OB1"}},
		"team of zero":    {Title: ptr("T"), ObjectiveCodes: []string{"OB1"}, TeamSize: ptr(0)},
		"negative budget": {Title: ptr("T"), ObjectiveCodes: []string{"OB1"}, BudgetCents: ptr(int64(-1))},
		"level four":      {Title: ptr("T"), ObjectiveCodes: []string{"OB1"}, Skills: []bot.SkillNeedInput{{Code: "gis", MinLevel: 4, Count: 1}}},
	} {
		before := f.counts(t)
		_, err := f.store.CreateProject(ctx, f.anna, in)
		var e *bot.Error
		if err == nil || errors.As(err, &e) || bot.ErrorCode(err) != bot.EINTERNAL {
			t.Errorf("%s: error = %v, want an internal (not user-facing) error", name, err)
		}
		if after := f.counts(t); after != before {
			t.Errorf("%s: rows changed %v → %v", name, before, after)
		}
	}
	// A team of 20 is outside the rule (3–15) but within the schema's backstop: stored.
	p := f.create(t, bot.ProjectInput{Title: ptr("Grande"), ObjectiveCodes: []string{"OB1"}, TeamSize: ptr(20)})
	if p.TeamSize != 20 {
		t.Fatalf("team size = %d, want 20 as given", p.TeamSize)
	}
	// The store's own refusals are storage outcomes only.
	if err := f.store.ChangePhase(ctx, p.ID, f.anna, bot.PhaseProgettazione, bot.PhaseRealizzazione, "", "", bot.SurveyOpening{}); bot.ErrorCode(err) != bot.ECONFLICT {
		t.Fatalf("stale phase: %v, want ECONFLICT", err)
	}
	long := strings.Repeat("n", 501)
	if err := f.store.ChangePhase(ctx, p.ID, f.anna, bot.PhaseIdeazione, bot.PhaseProgettazione, long, "", bot.SurveyOpening{}); err == nil || bot.ErrorCode(err) != bot.EINTERNAL {
		t.Fatalf("note over the schema's limit: %v, want an internal error", err)
	}
}

func sameArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestUpdateProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, bot.ProjectInput{Title: ptr("Originale"), Description: ptr("desc"), ObjectiveCodes: []string{"OB1", "OB2"},
		UnitCodes: []string{"A01"}, Skills: []bot.SkillNeedInput{{Code: "gis", MinLevel: 2, Count: 2}}, BudgetCents: ptr(int64(100)),
		PlannedStart: ptr(day("2027-01-01"))})

	u, err := f.store.UpdateProject(ctx, f.bruno, p.ID, bot.ProjectInput{Title: ptr("Nuovo"), ObjectiveCodes: []string{"OB3"},
		Skills: []bot.SkillNeedInput{{Code: "bilancio", MinLevel: 3, Count: 1}}, CoordinatorID: ptr(f.carla)})
	if err != nil {
		t.Fatal(err)
	}
	if u.Title != "Nuovo" || u.Description != "desc" || u.BudgetCents != 100 || u.PlannedStart == nil || u.Coordinator.ID != f.carla {
		t.Fatalf("fields: %+v", u)
	}
	if len(u.Objectives) != 1 || u.Objectives[0].Code != "OB3" || len(u.Units) != 1 || u.Units[0].Code != "A01" ||
		len(u.Skills) != 1 || u.Skills[0].Code != "bilancio" || u.Skills[0].MinLevel != 3 {
		t.Fatalf("sets: %+v %+v %+v", u.Objectives, u.Units, u.Skills)
	}
	if !u.UpdatedAt.After(p.UpdatedAt) {
		t.Fatalf("updated_at not moved: %v → %v", p.UpdatedAt, u.UpdatedAt)
	}
	// An empty (non-nil) unit set clears the units.
	u, err = f.store.UpdateProject(ctx, f.bruno, p.ID, bot.ProjectInput{UnitCodes: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Units) != 0 || len(u.Objectives) != 1 {
		t.Fatalf("after clearing units: %+v %+v", u.Units, u.Objectives)
	}

	// Unknown references leave everything as it was.
	before := f.counts(t)
	for _, c := range []struct {
		in  bot.ProjectInput
		key string
	}{
		{bot.ProjectInput{Title: ptr("X"), ObjectiveCodes: []string{"OB9"}}, "project.error.unknown_objective"},
		{bot.ProjectInput{UnitCodes: []string{"A01", "nope"}, Title: ptr("Y")}, "project.error.unknown_unit"},
		{bot.ProjectInput{Skills: []bot.SkillNeedInput{{Code: "cucina", MinLevel: 1, Count: 1}}, Title: ptr("Y")}, "project.error.unknown_skill"},
		{bot.ProjectInput{CoordinatorID: ptr(int64(999)), Title: ptr("Y")}, "project.error.unknown_coordinator"},
	} {
		_, err := f.store.UpdateProject(ctx, f.bruno, p.ID, c.in)
		if bot.ErrorCode(err) != bot.ENOTFOUND || !errIsKey(err, c.key) {
			t.Fatalf("%s: error = %v, want ENOTFOUND", c.key, err)
		}
	}
	// A date the schema refuses (the end before the stored start) can only come from an edit
	// that raced another: a conflict, not an invalid input.
	if _, err := f.store.UpdateProject(ctx, f.bruno, p.ID, bot.ProjectInput{PlannedEnd: ptr(day("2026-12-31"))}); bot.ErrorCode(err) != bot.ECONFLICT ||
		!errIsKey(err, "project.error.dates") {
		t.Fatalf("dates: %v, want ECONFLICT project.error.dates", err)
	}
	if after := f.counts(t); after != before {
		t.Fatalf("rows changed %v → %v", before, after)
	}
	got, _ := f.store.Project(ctx, p.ID)
	if got.Title != "Nuovo" || got.TeamSize != 3 || got.PlannedEnd != nil {
		t.Fatalf("refused edits leaked: %+v", got)
	}
	if _, err := f.store.UpdateProject(ctx, f.bruno, 999, bot.ProjectInput{Title: ptr("Z")}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	var audits int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'project.update'`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if audits != 2 { // the two accepted edits; the refused ones wrote nothing
		t.Fatalf("project.update audit rows = %d, want 2", audits)
	}
}

func TestProjectsList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	a := f.create(t, bot.ProjectInput{Title: ptr("A"), ObjectiveCodes: []string{"OB1"}, UnitCodes: []string{"A01-S01-V01"}})
	b := f.create(t, bot.ProjectInput{Title: ptr("B"), ObjectiveCodes: []string{"OB2"}, UnitCodes: []string{"A02"}, CoordinatorID: ptr(f.bruno)})
	c := f.create(t, bot.ProjectInput{Title: ptr("C"), ObjectiveCodes: []string{"OB1", "OB2"}, UnitCodes: []string{"A01"}})
	if err := f.store.ChangePhase(ctx, c.ID, f.anna, bot.PhaseIdeazione, bot.PhaseProgettazione, "", "", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	ids := func(ps []bot.ProjectSummary) []int64 {
		var out []int64
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		f     bot.ProjectFilter
		want  []int64
		total int
	}{
		{"all newest first", bot.ProjectFilter{}, []int64{c.ID, b.ID, a.ID}, 3},
		{"coordinator", bot.ProjectFilter{CoordinatorID: f.bruno}, []int64{b.ID}, 1},
		{"phase", bot.ProjectFilter{Phase: bot.PhaseIdeazione}, []int64{b.ID, a.ID}, 2},
		{"unit below unit", bot.ProjectFilter{UnitCode: "A01"}, []int64{c.ID, a.ID}, 2},
		{"unit in the middle", bot.ProjectFilter{UnitCode: "A01-S01"}, []int64{a.ID}, 1},
		{"objective", bot.ProjectFilter{ObjectiveCode: "OB2"}, []int64{c.ID, b.ID}, 2},
		{"combined", bot.ProjectFilter{ObjectiveCode: "OB1", Phase: bot.PhaseProgettazione}, []int64{c.ID}, 1},
		{"page 1", bot.ProjectFilter{Limit: 2}, []int64{c.ID, b.ID}, 3},
		{"page 2", bot.ProjectFilter{Limit: 2, Offset: 2}, []int64{a.ID}, 3},
		{"past the end", bot.ProjectFilter{Limit: 2, Offset: 10}, nil, 3},
		{"nothing", bot.ProjectFilter{UnitCode: "nope"}, nil, 0},
	} {
		got, total, err := f.store.Projects(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !sameIDs(ids(got), tc.want) || total != tc.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", tc.name, ids(got), total, tc.want, tc.total)
		}
	}
	got, _, _ := f.store.Projects(ctx, bot.ProjectFilter{CoordinatorID: f.bruno})
	if len(got) != 1 || got[0].Title != "B" || got[0].Coordinator != "Bruno Neri" || got[0].Phase != bot.PhaseIdeazione {
		t.Fatalf("summary: %+v", got)
	}
}

func TestProjectsListLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	if _, err := f.pool.Exec(ctx, `INSERT INTO projects (title) SELECT 'p' || g FROM generate_series(1, 60) g`); err != nil {
		t.Fatal(err)
	}
	got, total, err := f.store.Projects(ctx, bot.ProjectFilter{})
	if err != nil || len(got) != 10 || total != 60 {
		t.Fatalf("default limit: %d rows, total %d, %v", len(got), total, err)
	}
	got, _, _ = f.store.Projects(ctx, bot.ProjectFilter{Limit: 500})
	if len(got) != 50 {
		t.Fatalf("max limit: %d rows", len(got))
	}
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestObjectivesWithoutProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	f.create(t, minimal("Uno", "OB1"))
	cancelled := f.create(t, minimal("Due", "OB2"))
	if err := f.store.ChangePhase(ctx, cancelled.ID, f.anna, bot.PhaseIdeazione, bot.PhaseAnnullato, "", "", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.ObjectivesWithoutProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (bot.ObjectiveRef{Code: "OB2", Title: "Comune digitale"}) || got[1].Code != "OB3" {
		t.Fatalf("got %+v", got)
	}
}

func TestManagesProject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, bot.ProjectInput{Title: ptr("P"), ObjectiveCodes: []string{"OB1"}, UnitCodes: []string{"A01-S01-V01"}})
	none := f.create(t, minimal("Senza unità", "OB1"))
	for _, c := range []struct {
		who, project int64
		want         bool
	}{
		{f.bruno, p.ID, true},  // heads A01, two levels above the project's unit
		{f.carla, p.ID, false}, // heads A02, elsewhere
		{f.anna, p.ID, false},  // heads nothing
		{f.bruno, none.ID, false},
		{f.bruno, 999, false},
	} {
		got, err := f.store.ManagesProject(ctx, c.who, c.project)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("ManagesProject(%d, %d) = %v, want %v", c.who, c.project, got, c.want)
		}
	}
}

func TestChangePhase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, minimal("P", "OB1"))
	if err := f.store.ChangePhase(ctx, p.ID, f.anna, bot.PhaseIdeazione, bot.PhaseProgettazione, "pronto", "", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	// A second change from the old phase is a concurrent change, refused with nothing written.
	before := f.counts(t)
	err := f.store.ChangePhase(ctx, p.ID, f.bruno, bot.PhaseIdeazione, bot.PhaseAnnullato, "", "", bot.SurveyOpening{})
	wantConflict(t, err, "project.error.phase_changed")
	if after := f.counts(t); after != before {
		t.Fatalf("rows changed %v → %v", before, after)
	}
	if err := f.store.ChangePhase(ctx, p.ID, f.bruno, bot.PhaseProgettazione, bot.PhaseRealizzazione, "", "verifica fatta a voce", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ChangePhase(ctx, 999, f.bruno, bot.PhaseIdeazione, bot.PhaseProgettazione, "", "", bot.SurveyOpening{}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	got, err := f.store.Project(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Phase != bot.PhaseRealizzazione || len(got.History) != 3 || got.History[1].Note != "pronto" ||
		got.History[2].Override != "verifica fatta a voce" || got.History[2].Actor != "Bruno Neri" {
		t.Fatalf("history: %+v", got.History)
	}
	var nullOverrides int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM project_phase_history WHERE override_reason IS NULL`).Scan(&nullOverrides); err != nil {
		t.Fatal(err)
	}
	if nullOverrides != 2 {
		t.Fatalf("rows without override = %d, want 2", nullOverrides)
	}
	var details string
	if err := f.pool.QueryRow(ctx, `SELECT details->>'override' FROM audit_log WHERE action = 'project.phase' ORDER BY id DESC LIMIT 1`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if details != "verifica fatta a voce" {
		t.Fatalf("audit override = %q", details)
	}

	// Two concurrent moves from the same phase: exactly one wins.
	q := f.create(t, minimal("Q", "OB1"))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, to := range []bot.Phase{bot.PhaseProgettazione, bot.PhaseAnnullato} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.store.ChangePhase(ctx, q.ID, f.anna, bot.PhaseIdeazione, to, "", "", bot.SurveyOpening{})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent changes: %v, %v", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantConflict(t, err, "project.error.phase_changed")
		}
	}
}

func TestConcurrentAssessmentsGetDistinctVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, minimal("P", "OB1"))
	var wg sync.WaitGroup
	versions := make([]int, 2)
	errs := make([]error, 2)
	for i := range versions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			versions[i], errs[i] = f.store.AddAssessment(ctx, p.ID, f.anna, []bot.AssessmentAnswer{{Question: "org.staff", Score: 3}})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v, %v", errs[0], errs[1])
	}
	if versions[0]+versions[1] != 3 || versions[0] == versions[1] {
		t.Fatalf("versions = %v, want 1 and 2", versions)
	}
	if _, err := f.store.AddAssessment(ctx, 999, f.anna, []bot.AssessmentAnswer{{Question: "org.staff", Score: 3}}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}
	// A score off the scale is the core's to refuse (bot.ValidateAssessment); the schema's
	// backstop makes it an internal error here, and no version is taken.
	_, err := f.store.AddAssessment(ctx, p.ID, f.anna, []bot.AssessmentAnswer{{Question: "org.staff", Score: 6}})
	if err == nil || bot.ErrorCode(err) != bot.EINTERNAL {
		t.Fatalf("score 6: %v, want an internal error", err)
	}
}

func TestIndicators(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, minimal("P", "OB1"))
	other := f.create(t, minimal("Altro", "OB1"))
	ind := bot.Indicator{Kind: "outcome", Name: "Tempi di attesa", Unit: "giorni", Baseline: 30, Target: 10, Direction: "down"}
	first, err := f.store.AddIndicator(ctx, p.ID, ind)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.AddIndicator(ctx, p.ID, ind)
	wantConflict(t, err, "project.error.duplicate_indicator")
	// The same name in another project is fine.
	if _, err := f.store.AddIndicator(ctx, other.ID, ind); err != nil {
		t.Fatal(err)
	}
	// The refused duplicate took no number.
	third, err := f.store.AddIndicator(ctx, p.ID, bot.Indicator{Kind: "output", Name: "Sportelli", Baseline: 0, Target: 3, Direction: "up"})
	if err != nil {
		t.Fatal(err)
	}
	if third.ID != first.ID+2 { // +1 is the same name in the other project
		t.Fatalf("indicator ids %d then %d: the refused duplicate took a number", first.ID, third.ID)
	}
	bad := ind
	bad.Name, bad.Target = "Altro", 40
	_, err = f.store.AddIndicator(ctx, p.ID, bad)
	if err == nil || bot.ErrorCode(err) != bot.EINTERNAL {
		t.Fatalf("target on the wrong side: %v, want an internal error (the core refuses it first)", err)
	}
	if _, err := f.store.AddIndicator(ctx, 999, ind); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("missing project: %v", err)
	}

	// Measurements: a second value for the same date corrects the first.
	on := time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC)
	if err := f.store.RecordMeasurement(ctx, p.ID, first.ID, f.anna, bot.Measurement{On: on, Value: 25}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.RecordMeasurement(ctx, p.ID, first.ID, f.bruno, bot.Measurement{On: day("2027-03-01"), Value: 22, Note: "corretto"}); err != nil {
		t.Fatal(err)
	}
	// The indicator must belong to the project named.
	if err := f.store.RecordMeasurement(ctx, other.ID, first.ID, f.anna, bot.Measurement{On: on, Value: 1}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("wrong project: %v", err)
	}
	got, err := f.store.Project(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Indicators) != 2 || got.Indicators[0].ID != first.ID || len(got.Indicators[0].Measurements) != 1 ||
		got.Indicators[0].Measurements[0] != (bot.Measurement{On: day("2027-03-01"), Value: 22, Note: "corretto"}) {
		t.Fatalf("indicators: %+v", got.Indicators)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM indicator_measurements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("measurement rows = %d, want 1", n)
	}
}
