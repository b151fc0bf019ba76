package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// newProjectBot is newBot with the project store, on the fixture organisation plus three
// strategic objectives and four people: Carla (coordinatore), Diego (dirigente of the Settore
// above Anna's Servizio), Ada (admin) and Luca (dipendente).
func newProjectBot(t *testing.T, locale string) (*bot.Bot, *postgres.Store) {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.NewPool(t))
	b := bot.New(bot.Config{Store: store, Projects: store, DefaultLocale: locale})
	seedOrg(t, store)
	if _, err := store.Pool().Exec(ctx, `
		INSERT INTO objectives (code, title) VALUES
			('DUP-1.2', 'Semplificare i servizi'), ('DUP-3.1', 'Rigenerazione urbana'), ('DUP-4.0', 'Transizione digitale')`); err != nil {
		t.Fatalf("seed objectives: %v", err)
	}
	for who, role := range map[string]bot.Role{"carla": bot.RoleCoordinator, "diego": bot.RoleManager, "ada": bot.RoleAdmin, "luca": ""} {
		ask(b, who, "profilo")
		if role == "" {
			continue
		}
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: who})
		if err != nil {
			t.Fatal(err)
		}
		var units []string
		if role == bot.RoleManager {
			units = []string{"A01-S01"}
		}
		if err := store.GrantRole(ctx, 0, e.ID, role, units); err != nil {
			t.Fatal(err)
		}
	}
	return b, store
}

func askValues(b *bot.Bot, who, text string, values map[string]string) bot.Reply {
	return b.Handle(context.Background(), bot.Request{
		From:   bot.Identity{Transport: bot.TransportConsole, ExternalID: who, DisplayName: who},
		Source: bot.SourceForm, Text: text, Values: values,
	})
}

func countRows(t *testing.T, store *postgres.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mustCreate creates a project as carla and returns its id.
func mustCreate(t *testing.T, b *bot.Bot, store *postgres.Store, args string) int64 {
	t.Helper()
	r := ask(b, "carla", "progetto nuovo "+args)
	if r.IsError {
		t.Fatalf("create %q: %s", args, r.Text)
	}
	var id int64
	if err := store.Pool().QueryRow(context.Background(), `SELECT max(id) FROM projects`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestProjectNewShowsTheCard(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		locale, text string
		want         []string
	}{
		{"it", `progetto nuovo titolo="Sportello unico" descrizione="Un solo sportello" obiettivi=DUP-1.2,DUP-3.1 unita=A01-S01-V01 competenze=gis:2x2,appalti:1 squadra=5 budget=12500,50 finanziamento="Fondi PNRR" inizio=2026-01-15 fine=31/12/2026`,
			[]string{"Progetto 1: Sportello unico", "Progetto 1 creato", "Fase: ideazione", "Coordinatore: carla", "DUP-1.2 — Semplificare i servizi", "DUP-3.1 — Rigenerazione urbana",
				"Servizio Urbanistica (A01-S01-V01)", "Sistemi informativi geografici (almeno intermedio) ×2", "Appalti pubblici (almeno base) ×1",
				"Dimensione della squadra: 5", "Budget: € 12.500,50", "Fonte di finanziamento: Fondi PNRR", "Date previste: 15/01/2026 – 31/12/2026",
				"Squadra: —", "Controllo di robustezza non ancora compilato", "Nessun indicatore"}},
		{"en", `project new title="One-stop shop" objectives=DUP-1.2 units=A01-S01-V01 skills=gis:2x2 team=4 budget=12500.50 funding=PNRR start=15/01/2026 end=2026-12-31`,
			[]string{"Project 1: One-stop shop", "Phase: ideation", "Coordinator: carla", "Geographic information systems (at least intermediate) ×2",
				"Team size: 4", "Budget: €12,500.50", "Planned dates: 15 Jan 2026 – 31 Dec 2026", "Team: —"}},
	} {
		b, store := newProjectBot(t, tc.locale)
		r := ask(b, "carla", tc.text)
		if r.IsError {
			t.Fatalf("%s: create = %q", tc.locale, r.Text)
		}
		txt := r.PlainText()
		for _, w := range tc.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: card lacks %q:\n%s", tc.locale, w, txt)
			}
		}
		cmds := []string{}
		for _, c := range r.Choices {
			cmds = append(cmds, c.Command)
		}
		if strings.Join(cmds, "|") != map[string]string{"it": "progetto 1 fase|progetto 1 robustezza|progetto 1 indicatori|progetto 1 modifica",
			"en": "project 1 phase|project 1 robustness|project 1 indicators|project 1 edit"}[tc.locale] {
			t.Errorf("%s: choices = %v", tc.locale, cmds)
		}
		if got := ask(b, "luca", "progetto 1").PlainText(); got != strings.Replace(txt, "\n"+i18n.T(tc.locale, "project.created", "id", 1), "", 1) {
			t.Errorf("%s: progetto 1 shows a different card:\n%s\n---\n%s", tc.locale, got, txt)
		}
		if n := countRows(t, store, `SELECT budget_cents FROM projects WHERE id = 1`); n != 1250050 {
			t.Errorf("%s: budget_cents = %d", tc.locale, n)
		}
	}
}

func TestProjectNewWithoutArgumentsOpensTheForm(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	r := ask(b, "carla", "progetto nuovo")
	if r.Form == nil || r.Form.Submit != "progetto nuovo" || len(r.Form.Fields) != 10 {
		t.Fatalf("form = %+v", r.Form)
	}
	// The submission comes back as values, which fill the fields.
	r = askValues(b, "carla", r.Form.Submit, map[string]string{"titolo": "Dal modulo", "obiettivi": "DUP-1.2", "budget": "1.000,5",
		"descrizione": "", "unita": "", "competenze": "", "squadra": "", "finanziamento": "", "inizio": "", "fine": "2026-12-31"})
	if r.IsError || !strings.Contains(r.PlainText(), "Budget: € 1.000,50") {
		t.Fatalf("form submission = %s", r.PlainText())
	}
	// Editing is prefilled.
	r = ask(b, "carla", "progetto 1 modifica")
	if r.Form == nil || r.Form.Submit != "progetto 1 modifica" || r.Form.Fields[0].Value != "Dal modulo" || r.Form.Fields[6].Value != "1000.50" {
		t.Fatalf("edit form = %+v", r.Form)
	}
	// Submitting the prefilled form unchanged but with an empty budget clears the budget only.
	values := map[string]string{}
	for _, f := range r.Form.Fields {
		values[f.Name] = f.Value
	}
	values["budget"] = ""
	r = askValues(b, "carla", r.Form.Submit, values)
	if r.IsError || !strings.Contains(r.PlainText(), "Budget: nessuno") && !strings.Contains(r.PlainText(), "Budget: "+i18n.T("it", "profile.none")) ||
		!strings.Contains(r.PlainText(), "Date previste: "+i18n.T("it", "profile.none")+" – 31/12/2026") {
		t.Fatalf("edit by form = %s", r.PlainText())
	}
	if n := countRows(t, store, `SELECT count(*) FROM projects`); n != 1 {
		t.Fatalf("projects = %d", n)
	}
}

func TestProjectNewBadInputInItalianAndEnglish(t *testing.T) {
	t.Parallel()
	const ok = `titolo=T obiettivi=DUP-1.2 `
	cases := []struct {
		who, text string
		key       string
		args      []any
	}{
		{"carla", ok + "budget=-5", "project.error.bad_budget", nil},
		{"carla", ok + "budget=abc", "project.bad_budget", []any{"value", "abc"}},
		{"carla", ok + "budget=12,505", "project.bad_budget", []any{"value", "12,505"}},
		{"carla", ok + "budget=1.2.3,4,5", "project.bad_budget", []any{"value", "1.2.3,4,5"}},
		{"carla", ok + "inizio=2026-05-01 fine=2026-04-30", "project.error.dates", nil},
		{"carla", ok + "inizio=31/02/2026", "project.bad_date", []any{"field", "inizio", "value", "31/02/2026"}},
		{"carla", ok + "budget=1.2,3", "project.bad_budget", []any{"value", "1.2,3"}},
		{"carla", ok + "inizio=0000-01-01", "project.error.date_range", []any{"value", "0000-01-01", "min", bot.MinYear, "max", bot.MaxYear}},
		{"carla", ok + "fine=31/12/2101", "project.error.date_range", []any{"value", "2101-12-31", "min", bot.MinYear, "max", bot.MaxYear}},
		{"carla", "titolo=T obiettivi=DUP-9", "project.error.unknown_objective", []any{"code", "DUP-9"}},
		{"carla", ok + "unita=ZZ9", "project.error.unknown_unit", []any{"code", "ZZ9"}},
		{"carla", ok + "competenze=apalti:2", "project.unknown_skill_suggest", []any{"skill", "apalti", "suggestion", "appalti"}},
		{"carla", ok + "competenze=cucina:2", "project.error.unknown_skill", []any{"code", "cucina"}},
		{"carla", ok + "competenze=gis:4", "project.error.bad_level", []any{"code", "gis", "value", "4"}},
		{"carla", ok + "competenze=gis:2x0", "project.error.bad_count", []any{"code", "gis", "value", "0", "max", bot.MaxSkillNeedCount}},
		{"carla", ok + "competenze=gis:2x4 squadra=3", "project.error.team_too_small", []any{"size", 3, "needed", 4}},
		{"carla", ok + "squadra=tanti", "project.error.bad_team_size", []any{"value", "tanti", "min", bot.MinTeamSize, "max", bot.MaxTeamSize}},
		{"carla", ok + "squadra=2", "project.error.bad_team_size", []any{"value", "2", "min", bot.MinTeamSize, "max", bot.MaxTeamSize}},
		{"carla", ok + "squadra=16", "project.error.bad_team_size", []any{"value", "16", "min", bot.MinTeamSize, "max", bot.MaxTeamSize}},
		{"carla", ok + "competenze=gis:1x16", "project.error.bad_count", []any{"code", "gis", "value", "16", "max", bot.MaxSkillNeedCount}},
		{"carla", "obiettivi=DUP-1.2", "project.error.title", nil},
		{"carla", `titolo="   " obiettivi=DUP-1.2`, "project.error.title", nil},
		{"carla", "titolo=T", "project.error.no_objective", nil},
		{"carla", "titolo=T obiettivi=", "project.error.no_objective", nil},
		{"carla", ok + "colore=rosso", "grammar.unknown_field", []any{"key", "colore"}},
		{"luca", ok, "error.forbidden", []any{"command", "progetto nuovo", "role", "ROLE"}},
	}
	for _, locale := range []string{"it", "en"} {
		b, store := newProjectBot(t, locale)
		for _, tc := range cases {
			args := tc.args
			if tc.key == "error.forbidden" {
				args = []any{"command", b.Localize("progetto nuovo", locale), "role", i18n.T(locale, "role.coordinatore")}
			}
			want := i18n.T(locale, tc.key, args...)
			r := ask(b, tc.who, "progetto nuovo "+tc.text)
			if tc.key == "grammar.unknown_field" { // it quotes the reader's own field names
				head, _, _ := strings.Cut(want, "{")
				if !r.IsError || !strings.HasPrefix(r.Text, head) || !strings.Contains(r.Text, b.Localize("progetto nuovo titolo=", locale)) {
					t.Errorf("%s: %q → %q, want %q…", locale, tc.text, r.Text, head)
				}
				continue
			}
			if !r.IsError || r.Text != want {
				t.Errorf("%s: %q → %q, want %q", locale, tc.text, r.Text, want)
			}
			if strings.Contains(r.Text, "project.") || strings.Contains(r.Text, "{") {
				t.Errorf("%s: %q → untranslated %q", locale, tc.text, r.Text)
			}
		}
		if n := countRows(t, store, `SELECT count(*) FROM projects`); n != 0 {
			t.Errorf("%s: refused commands wrote %d projects", locale, n)
		}
	}
}

func TestProjectUnknownIDAndEditPermission(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	if r := ask(b, "luca", "progetto 99"); !r.IsError || r.Text != i18n.T("it", "project.not_found", "id", 99) {
		t.Fatalf("unknown id = %q", r.Text)
	}
	if r := ask(b, "luca", "progetto boh"); !r.IsError || r.Text != i18n.T("it", "grammar.unknown_sub", "word", "boh", "command", "progetto", "subs", "`nuovo`, `ID`") {
		t.Fatalf("bad id = %q", r.Text)
	}
	id := mustCreate(t, b, store, "titolo=T obiettivi=DUP-1.2 unita=A01-S01-V01 competenze=gis:1x5")
	if r := ask(b, "luca", fmt.Sprintf("progetto %d modifica titolo=Mio", id)); !r.IsError || !strings.Contains(r.Text, "Solo il coordinatore") {
		t.Fatalf("employee edit = %q", r.Text)
	}
	if r := ask(b, "diego", fmt.Sprintf("progetto %d modifica titolo=Nuovo squadra=4", id)); !r.IsError ||
		r.Text != i18n.T("it", "project.error.team_too_small", "size", 4, "needed", 5) {
		t.Fatalf("team below stored skills = %q", r.Text)
	}
	if r := ask(b, "diego", fmt.Sprintf("progetto %d modifica titolo=Nuovo fine=2026-01-01 inizio=2026-02-01", id)); !r.IsError ||
		r.Text != i18n.T("it", "project.error.dates") {
		t.Fatalf("dates = %q", r.Text)
	}
	if r := ask(b, "diego", fmt.Sprintf("progetto %d modifica titolo=Nuovo budget=7", id)); r.IsError ||
		!strings.Contains(r.PlainText(), "Progetto 1: Nuovo") || !strings.Contains(r.PlainText(), "Budget: € 7,00") {
		t.Fatalf("manager edit = %s", r.PlainText())
	}
}

func TestProjectCommandsAreInTheHelp(t *testing.T) {
	t.Parallel()
	b, _ := newProjectBot(t, "en")
	txt := ask(b, "luca", "help").PlainText()
	for _, w := range []string{"*project* (progetto)", "*projects* (progetti)", i18n.T("en", "project.summary"), i18n.T("en", "projects.summary")} {
		if !strings.Contains(txt, w) {
			t.Errorf("help lacks %q:\n%s", w, txt)
		}
	}
	if r := ask(b, "luca", "project"); r.IsError || !strings.Contains(r.PlainText(), "`project ID`") {
		t.Errorf("bare project = %s", r.PlainText())
	}
}

// TestRejectedProjectTakesNoNumber: a refused "progetto nuovo" consumes no id, whether the core
// refuses it (a limit) or the store does (a code the catalogue does not hold).
func TestRejectedProjectTakesNoNumber(t *testing.T) {
	t.Parallel()
	b, _ := newProjectBot(t, "it")
	for _, bad := range []string{
		"titolo=T obiettivi=DUP-9",                    // unknown objective: the store's lookup
		"titolo=T obiettivi=DUP-1.2 unita=ZZ9",        // unknown unit: the store's lookup
		"titolo=T obiettivi=DUP-1.2 squadra=40",       // a limit: the core's
		"titolo=T obiettivi=DUP-1.2 competenze=gis:4", // a limit: the core's
	} {
		if r := ask(b, "carla", "progetto nuovo "+bad); !r.IsError {
			t.Fatalf("%q accepted: %s", bad, r.Text)
		}
	}
	r := ask(b, "carla", "progetto nuovo titolo=Buono obiettivi=DUP-1.2")
	if r.IsError || !strings.Contains(r.Text, i18n.T("it", "project.created", "id", 1)) {
		t.Fatalf("first accepted project: %q, want number 1", r.Text)
	}
}
