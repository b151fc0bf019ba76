package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// teamFixture is the project fixture plus three Settori (S01 at Palazzo Comunale, S02 at
// Palazzo Banci, adjacent; S03 at a far site) and people with skills: Gina (gis 3, S01), Paolo
// (appalti 2, S01), Greta (gis 2, S02), Bruno (bilancio 2, S02), Aldo (appalti 3, S03), Sara (no
// skills, S03) and Piena (gis 3 and appalti 3, S01) who is already in two active teams.
type teamFixture struct {
	b       *bot.Bot
	store   *postgres.Store
	outbox  *recordingOutbox
	project int64
	ids     map[string]int64
}

func newTeamFixture(t *testing.T) teamFixture {
	t.Helper()
	ctx := context.Background()
	outbox := &recordingOutbox{}
	store := postgres.NewStore(pgtest.NewPool(t), postgres.WithOutbox(outbox))
	b := bot.New(bot.Config{Store: store, Projects: store, Teams: store, DefaultLocale: "it"})
	seedOrg(t, store)
	if _, err := store.Pool().Exec(ctx, `
		INSERT INTO objectives (code, title) VALUES ('DUP-1.2', 'Semplificare i servizi');
		INSERT INTO sites (code, name) VALUES ('PX', 'Sede lontana');
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT 'A01-S02', 'Settore Bilancio', 'Settore', u.id, s.id FROM org_units u, sites s WHERE u.code = 'A01' AND s.code = 'PB';
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT 'A01-S03', 'Settore Gare', 'Settore', u.id, s.id FROM org_units u, sites s WHERE u.code = 'A01' AND s.code = 'PX';
		INSERT INTO org_units (code, name, type_label, parent_id)
			SELECT 'A01-S03-V01', 'Servizio Contratti', 'Servizio', id FROM org_units WHERE code = 'A01-S03';
		INSERT INTO employees (display_name, email, unit_id)
			SELECT n, lower(n) || '@example.it', (SELECT id FROM org_units WHERE code = u)
			FROM (VALUES ('Gina', 'A01-S01-V01'), ('Paolo', 'A01-S01'), ('Greta', 'A01-S02'), ('Bruno', 'A01-S02'),
			             ('Aldo', 'A01-S03-V01'), ('Sara', 'A01-S03'), ('Piena', 'A01-S01')) AS v(n, u);
		INSERT INTO employee_skills (employee_id, skill_id, level)
			SELECT e.id, s.id, l FROM (VALUES ('Gina', 'gis', 3), ('Paolo', 'appalti', 2), ('Greta', 'gis', 2),
			    ('Bruno', 'bilancio', 2), ('Aldo', 'appalti', 3), ('Piena', 'gis', 3), ('Piena', 'appalti', 3)) AS v(n, c, l)
			JOIN employees e ON e.display_name = n JOIN skills s ON s.code = c;
		INSERT INTO projects (title, phase) VALUES ('Vecchio A', 'realizzazione'), ('Vecchio B', 'ideazione');
		INSERT INTO team_members (project_id, employee_id) SELECT p.id, e.id FROM projects p, employees e WHERE e.display_name = 'Piena';
		INSERT INTO employee_identities (transport, external_id, employee_id)
			SELECT 'console', lower(display_name), id FROM employees WHERE email LIKE '%@example.it';
	`); err != nil {
		t.Fatalf("seed team fixture: %v", err)
	}
	for who, role := range map[string]bot.Role{"carla": bot.RoleCoordinator, "luca": ""} {
		ask(b, who, "profilo")
		if role == "" {
			continue
		}
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: who})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.GrantRole(ctx, 0, e.ID, role, nil); err != nil {
			t.Fatal(err)
		}
	}
	f := teamFixture{b: b, store: store, outbox: outbox, ids: map[string]int64{}}
	f.project = mustCreate(t, b, store, `titolo="Mappa dei cantieri" obiettivi=DUP-1.2 competenze=gis:2x2,appalti:2 squadra=3`)
	rows, err := store.Pool().Query(ctx, `SELECT display_name, id FROM employees`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		f.ids[n] = id
	}
	return f
}

func (f teamFixture) ask(t *testing.T, text string) bot.Reply {
	t.Helper()
	r := ask(f.b, "carla", text)
	if r.IsError {
		t.Fatalf("%s: %s", text, r.Text)
	}
	return r
}

func (f teamFixture) cmd(format string, names ...string) string {
	args := []any{f.project}
	for _, n := range names {
		args = append(args, f.ids[n])
	}
	return fmt.Sprintf(format, args...)
}

func TestTeamProposalCoversSkillsAndSpreads(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	r := f.ask(t, f.cmd("squadra %d"))
	txt := r.PlainText()
	for _, want := range []string{
		fmt.Sprintf("Squadra proposta per il progetto %d «Mappa dei cantieri»", f.project),
		fmt.Sprintf("*Gina* (n. %d) — Servizio Urbanistica, Settore Territorio", f.ids["Gina"]),
		fmt.Sprintf("*Greta* (n. %d) — Settore Bilancio, Settore Bilancio", f.ids["Greta"]),
		fmt.Sprintf("*Aldo* (n. %d) — Servizio Contratti, Settore Gare", f.ids["Aldo"]),
		"copre Sistemi informativi geografici; aggiunge un dipartimento",
		"copre Appalti pubblici; aggiunge un dipartimento; nuovi legami: 2; con uffici non contigui: 2",
		"copre Sistemi informativi geografici; aggiunge un dipartimento; nuovi legami: 1\n",
		"Dipartimenti coinvolti: 3. Nuovi legami: 3 su 3 coppie, di cui 2 tra uffici non contigui.",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("proposal lacks %q:\n%s", want, txt)
		}
	}
	for _, never := range []string{"Piena", "Paolo", "Sara", "Bruno", "Anna"} {
		if strings.Contains(txt, "*"+never+"*") {
			t.Errorf("proposal includes %s:\n%s", never, txt)
		}
	}
	if len(r.Choices) != 8 || r.Choices[0].Command != f.cmd("squadra %d conferma") ||
		r.Choices[1].Command != f.cmd("squadra %d conferma canale=sì") || !strings.HasPrefix(r.Choices[2].Label, "Sostituisci ") {
		t.Errorf("choices = %+v", r.Choices)
	}
	var n int
	if err := f.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM team_invitations`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a proposal invited %d people (err %v)", n, err)
	}
	if again := f.ask(t, f.cmd("team %d")).PlainText(); again != txt {
		t.Errorf("not deterministic:\n%s\n---\n%s", txt, again)
	}
}

func TestTeamInfeasibleNamesTheSkill(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	id := mustCreate(t, f.b, f.store, `titolo="Bilancio partecipato" obiettivi=DUP-1.2 competenze=bilancio:3x2 squadra=3`)
	r := ask(f.b, "carla", fmt.Sprintf("squadra %d", id))
	want := "«Bilancio» (livello ≥ 3): persone richieste 2, con capacità libera 0, mancanti 2"
	if !strings.Contains(r.Text, want) || !strings.Contains(r.Text, "Non si può formare una squadra di 3 persone") {
		t.Errorf("infeasible reply = %q", r.Text)
	}
	// Excluding Greta leaves one qualified GIS person for two places (Piena has no capacity).
	r = ask(f.b, "carla", f.cmd("squadra %d escludi=%d", "Greta"))
	if !strings.Contains(r.Text, "«Sistemi informativi geografici» (livello ≥ 2): persone richieste 2, con capacità libera 1, mancanti 1") {
		t.Errorf("infeasible after exclusion = %q", r.Text)
	}
}

func TestTeamExclusionAndSwap(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	txt := f.ask(t, f.cmd("squadra %d escludi=%d", "Aldo")).PlainText()
	if strings.Contains(txt, "*Aldo*") || !strings.Contains(txt, "*Paolo*") || !strings.Contains(txt, "Escluse: Aldo.") {
		t.Errorf("exclusion not applied:\n%s", txt)
	}
	base := f.ask(t, f.cmd("squadra %d"))
	var replace string
	for _, c := range base.Choices {
		if c.Label == "Sostituisci Aldo" {
			replace = c.Command
		}
	}
	if replace != f.cmd("squadra %d sostituisci %d", "Aldo") {
		t.Fatalf("replace choice = %q in %+v", replace, base.Choices)
	}
	reps := f.ask(t, replace)
	if len(reps.Choices) != 1 || reps.Choices[0].Command != f.cmd("squadra %d scambia %d %d", "Aldo", "Paolo") {
		t.Fatalf("replacements = %+v\n%s", reps.Choices, reps.PlainText())
	}
	// The candidate's own contribution and the change against Aldo are both labelled, so that
	// they cannot read as contradicting each other.
	if !strings.Contains(reps.PlainText(), "Rispetto a Aldo: dipartimenti -1, nuovi legami +0.") ||
		!strings.Contains(reps.PlainText(), "Al posto di Aldo: copre Appalti pubblici") {
		t.Errorf("replacement effect missing:\n%s", reps.PlainText())
	}
	swapped := f.ask(t, reps.Choices[0].Command)
	st := swapped.PlainText()
	if strings.Contains(st, "*Aldo*") || !strings.Contains(st, "*Paolo*") || !strings.Contains(st, "Scambio applicato: Paolo al posto di Aldo.") ||
		!strings.Contains(st, "Dipartimenti coinvolti: 2.") {
		t.Errorf("swap not applied:\n%s", st)
	}
	// The swap is carried on in the follow-up commands.
	for _, c := range swapped.Choices {
		if strings.HasPrefix(c.Label, "Sostituisci") && !strings.Contains(c.Command, fmt.Sprintf("scambi=%d:%d", f.ids["Aldo"], f.ids["Paolo"])) {
			t.Errorf("choice %q loses the swap", c.Command)
		}
	}
	// Replacing Gina with Sara would leave GIS uncovered.
	r := ask(f.b, "carla", f.cmd("squadra %d scambia %d %d", "Gina", "Sara"))
	if !r.IsError || !strings.Contains(r.Text, "Sara non può prendere il posto di Gina") {
		t.Errorf("invalid swap = %q", r.Text)
	}
	// Piena has no capacity left.
	r = ask(f.b, "carla", f.cmd("squadra %d scambia %d %d", "Gina", "Piena"))
	if !r.IsError || !strings.Contains(r.Text, "non è tra quelle disponibili") {
		t.Errorf("swap with a full person = %q", r.Text)
	}
}

func TestTeamPermission(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	r := ask(f.b, "luca", f.cmd("squadra %d"))
	if !r.IsError || !strings.Contains(r.Text, fmt.Sprintf("Solo il coordinatore del progetto %d", f.project)) {
		t.Errorf("plain employee = %q", r.Text)
	}
	f.ask(t, f.cmd("squadra %d"))
	if r := ask(f.b, "carla", "squadra 99"); !r.IsError || !strings.Contains(r.Text, "non esiste") {
		t.Errorf("missing project = %q", r.Text)
	}
}
