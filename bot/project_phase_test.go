package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// allAnswers are the 12 robustness answers as typed key=value (dashes: typed keys have no dots).
const allAnswers = "org-staff=2 org-procedures=2 org-roles=3 org-risks=1 eco-funding=4 eco-estimate=4 eco-running_costs=4 eco-cofunding=4 " +
	"cb-benefits=5 cb-proportion=4 cb-reach=3 cb-lasting=4"

func TestPhaseChangesAndTheRealizzazioneGate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, locale := range []string{"it", "en"} {
		b, store := newProjectBot(t, locale)
		id := mustCreate(t, b, store, "titolo=Cantiere obiettivi=DUP-1.2 unita=A01-S01-V01")
		cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", id, s) }
		T := func(key string, args ...any) string { return i18n.T(locale, key, args...) }

		// Who may: not another employee; the coordinator and a manager of an involved unit may.
		if r := ask(b, "luca", cmd("fase progettazione")); !r.IsError || r.Text != T("project.forbidden", "id", id, "title", "Cantiere") {
			t.Fatalf("%s: employee = %q", locale, r.Text)
		}
		// Without a phase: the allowed next phases, as choices.
		if r := ask(b, "carla", cmd("fase")); r.IsError || len(r.Choices) != 3 || r.Choices[0].Command != b.Localize(cmd("fase progettazione"), locale) {
			t.Fatalf("%s: phase menu = %+v", locale, r)
		}
		if r := ask(b, "carla", cmd("fase monitoraggio")); !r.IsError || r.Text != T("project.phase.not_allowed",
			"from", T("phase.ideazione"), "to", T("phase.monitoraggio"), "allowed", map[string]string{
				"it": "`progettazione`, `sospeso`, `annullato`", "en": "`design`, `suspended`, `cancelled`"}[locale]) {
			t.Fatalf("%s: skip = %q", locale, r.Text)
		}
		if r := ask(b, "diego", cmd(`fase progettazione "via libera dal dirigente"`)); r.IsError || !strings.Contains(r.Text, T("project.phase.changed", "from", T("phase.ideazione"), "to", T("phase.progettazione"))) {
			t.Fatalf("%s: manager = %q", locale, r.Text)
		}

		// The gate names each missing prerequisite.
		r := ask(b, "carla", cmd("fase realizzazione"))
		for _, want := range []string{T("project.gate.no_robustness"), T("project.gate.no_output"), T("project.gate.no_outcome")} {
			if !r.IsError || !strings.Contains(r.Text, want) {
				t.Errorf("%s: gate lacks %q: %q", locale, want, r.Text)
			}
		}
		ask(b, "carla", cmd("robustezza org-staff=4"))
		ask(b, "carla", cmd(`indicatori nuovo tipo=output nome=Sportelli base=0 obiettivo=4`))
		r = ask(b, "carla", cmd("fase realizzazione"))
		if !r.IsError || r.Text != T("project.gate.blocked", "id", id, "missing",
			"• "+T("project.gate.robustness_incomplete", "answered", 1, "total", 12)+"\n• "+T("project.gate.no_outcome")) {
			t.Errorf("%s: partial gate = %q", locale, r.Text)
		}
		// Only an admin may force, with a reason, and the override is recorded.
		if r := ask(b, "carla", cmd(`fase realizzazione forza="delibera urgente"`)); !r.IsError || r.Text != T("project.phase.override_admin_only") {
			t.Errorf("%s: coordinator override = %q", locale, r.Text)
		}
		if r := ask(b, "ada", cmd(`fase realizzazione override="delibera urgente"`)); r.IsError || !strings.Contains(r.Text, "delibera urgente") {
			t.Fatalf("%s: admin override = %q", locale, r.Text)
		}
		var override, actor string
		if err := store.Pool().QueryRow(ctx, `
			SELECT h.override_reason, e.display_name FROM project_phase_history h JOIN employees e ON e.id = h.actor_id
			WHERE h.project_id = $1 AND h.to_phase = 'realizzazione'`, id).Scan(&override, &actor); err != nil || override != "delibera urgente" || actor != "ada" {
			t.Fatalf("%s: history = %q %q %v", locale, override, actor, err)
		}
		// Suspended, a project goes back to the phase it was suspended from.
		if r := ask(b, "carla", cmd("fase sospeso")); r.IsError {
			t.Fatalf("%s: suspend = %q", locale, r.Text)
		}
		if r := ask(b, "carla", cmd("fase progettazione")); !r.IsError || !strings.Contains(r.Text, map[string]string{
			"it": "`realizzazione`, `annullato`", "en": "`delivery`, `cancelled`"}[locale]) {
			t.Fatalf("%s: resume elsewhere = %q", locale, r.Text)
		}
		if r := ask(b, "carla", cmd("phase delivery")); r.IsError || !strings.Contains(r.PlainText(), T("phase.realizzazione")) {
			t.Fatalf("%s: resume = %q", locale, r.Text)
		}
		if n := countRows(t, store, `SELECT count(*) FROM project_phase_history WHERE project_id = $1 AND from_phase IS NOT NULL`, id); n != 4 {
			t.Errorf("%s: %d transitions recorded, want 4", locale, n)
		}
	}
}

func TestGatePassesWithCompleteCheckAndBothIndicators(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	id := mustCreate(t, b, store, "titolo=Cantiere obiettivi=DUP-1.2")
	cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", id, s) }
	for _, s := range []string{"fase progettazione", "robustezza " + allAnswers,
		`indicatori nuovo tipo=output nome=Sportelli base=0 obiettivo=4`,
		`indicatori nuovo tipo=outcome nome=Attesa unita=giorni base=30 obiettivo=10 direzione=down`,
		"fase realizzazione"} {
		if r := ask(b, "carla", cmd(s)); r.IsError {
			t.Fatalf("%q: %s", s, r.Text)
		}
	}
	if n := countRows(t, store, `SELECT count(*) FROM projects WHERE phase = 'realizzazione'`); n != 1 {
		t.Fatal("project did not enter realizzazione")
	}
}

func TestRobustnessIndexAndFlagsOnTheCard(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	id := mustCreate(t, b, store, "titolo=Cantiere obiettivi=DUP-1.2")
	cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", id, s) }

	// The form: 12 selects 1..5 with the catalogue hints, each with a justification field.
	r := ask(b, "carla", cmd("robustezza"))
	if r.Form == nil || len(r.Form.Fields) != 24 || r.Form.Submit != cmd("robustezza") ||
		r.Form.Fields[0].Name != "org.staff" || len(r.Form.Fields[0].Options) != 5 || r.Form.Fields[0].Hint != i18n.T("it", "robustness.q.org.staff.hint") ||
		r.Form.Fields[1].Name != "org.staff.nota" {
		t.Fatalf("form = %+v", r.Form)
	}
	// Submitted as form values (dotted names): organisation 2,2,3,1 → 2.00, flagged.
	values := map[string]string{"org.staff": "2", "org.staff.nota": "mancano tecnici", "org.procedures": "2", "org.roles": "3", "org.risks": "1",
		"eco.funding": "4", "eco.estimate": "4", "eco.running_costs": "4", "eco.cofunding": "4",
		"cb.benefits": "5", "cb.proportion": "4", "cb.reach": "3", "cb.lasting": "4"}
	r = askValues(b, "carla", cmd("robustezza"), values)
	if r.IsError {
		t.Fatalf("submit = %q", r.Text)
	}
	card := ask(b, "luca", fmt.Sprintf("progetto %d", id)).PlainText()
	for _, want := range []string{
		"Versione 1 (12/12 risposte). Indice complessivo: 3,33",
		"Fattibilità organizzativo-procedurale: 2,00 ⚠ sotto 3",
		"– " + i18n.T("it", "robustness.q.org.risks") + " (punteggio 1)",
		"– " + i18n.T("it", "robustness.q.org.staff") + " (punteggio 2)",
		"Fattibilità economico-finanziaria: 4,00",
		"Equilibrio tra costi e benefici: 4,00",
	} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(card, "4,00 ⚠") || strings.Index(card, "robustness.q.org.risks") >= 0 {
		t.Errorf("only the organisation dimension is flagged:\n%s", card)
	}
	// The lowest score comes first among the questions that pulled it down.
	if strings.Index(card, i18n.T("it", "robustness.q.org.risks")) > strings.Index(card, i18n.T("it", "robustness.q.org.staff")) {
		t.Errorf("lowest first:\n%s", card)
	}
	// A second version, typed, shows the trend.
	r = ask(b, "carla", cmd(strings.NewReplacer("org-staff=2", "org-staff=4", "org-risks=1", "org-risks=3").Replace(allAnswers)))
	if !r.IsError {
		// "progetto ID org-staff=…" without the word robustezza is not a command.
		t.Fatalf("missing subcommand accepted: %q", r.Text)
	}
	r = ask(b, "carla", cmd("robustezza "+strings.NewReplacer("org-staff=2", "org-staff=4", "org-risks=1", "org-risks=3").Replace(allAnswers)))
	txt := r.PlainText()
	for _, want := range []string{"versione 2", "Fattibilità organizzativo-procedurale: 3,00 (+1,00 rispetto alla versione precedente)", "Indice complessivo: 3,67 (+0,33"} {
		if !strings.Contains(txt, want) {
			t.Errorf("second version lacks %q:\n%s", want, txt)
		}
	}
	// Bad answers, each with the catalogue message, nothing stored.
	for _, tc := range []struct{ text, key, question string }{
		{"robustezza org-staff=7", "robustness.error.bad_score", i18n.T("it", "robustness.q.org.staff")},
		{"robustezza org-staff=molto", "robustness.error.bad_score", i18n.T("it", "robustness.q.org.staff")},
		{"robustezza org-morale=3", "robustness.error.unknown_question", "org-morale"},
		{"robustezza org-staff=3 org-staff-nota=" + strings.Repeat("x", 501), "robustness.error.too_long", i18n.T("it", "robustness.q.org.staff")},
	} {
		want := i18n.T("it", tc.key, "question", tc.question, "max", 500)
		if r := ask(b, "carla", cmd(tc.text)); !r.IsError || r.Text != want {
			t.Errorf("%q → %q, want %q", tc.text[:min(len(tc.text), 40)], r.Text, want)
		}
	}
	if r := ask(b, "luca", cmd("robustezza org-staff=3")); !r.IsError {
		t.Errorf("an employee assessed someone else's project")
	}
	if n := countRows(t, store, `SELECT count(*) FROM robustness_assessments`); n != 2 {
		t.Errorf("assessments = %d, want 2", n)
	}
}

func TestIndicatorProgressUpAndDownOnTheCard(t *testing.T) {
	t.Parallel()
	for _, locale := range []string{"it", "en"} {
		b, store := newProjectBot(t, locale)
		id := mustCreate(t, b, store, "titolo=Cantiere obiettivi=DUP-1.2")
		cmd := func(s string) string { return fmt.Sprintf("progetto %d %s", id, s) }
		T := func(key string, args ...any) string { return i18n.T(locale, key, args...) }
		for _, s := range []string{
			`indicatori nuovo tipo=output nome="Piste ciclabili" unita=km base=0 obiettivo=10 direzione=up`,
			`indicators new kind=outcome name=Attesa unit=giorni baseline=30 target=10 direction=down`,
			`indicatori misura 1 valore=4 data=2026-03-01`,
			`indicatori misura 2 valore=25 data=2026-03-01`,
		} {
			if r := ask(b, "carla", cmd(s)); r.IsError {
				t.Fatalf("%s: %q: %s", locale, s, r.Text)
			}
		}
		card := ask(b, "luca", fmt.Sprintf("progetto %d", id)).PlainText()
		date := map[string]string{"it": "01/03/2026", "en": "1 Mar 2026"}[locale]
		for _, want := range []string{
			T("project.indicator.progress", "progress", "40%", "value", "4 km", "date", date),
			T("project.indicator.progress", "progress", "25%", "value", "25 giorni", "date", date),
		} {
			if !strings.Contains(card, want) {
				t.Errorf("%s: card lacks %q:\n%s", locale, want, card)
			}
		}
		// Going the wrong way is shown as negative progress; a later date wins.
		ask(b, "carla", cmd("indicatori misura 2 valore=35 data=2026-04-01"))
		ask(b, "carla", cmd("indicatori misura 1 valore=12,5 data=2026-04-01"))
		card = ask(b, "carla", cmd("indicatori")).PlainText()
		for _, want := range []string{"-25%", "125%"} {
			if !strings.Contains(card, want) {
				t.Errorf("%s: indicators lack %q:\n%s", locale, want, card)
			}
		}
		// Bad definitions and measurements.
		for _, tc := range []struct {
			text, key string
			args      []any
		}{
			{`indicatori nuovo tipo=output nome=X base=5 obiettivo=1 direzione=up`, "project.indicator.error.wrong_side", []any{"field", T("project.indicator.field.target"), "value", ""}},
			{`indicatori nuovo tipo=output nome=X base=5 obiettivo=5`, "project.indicator.error.equals_baseline", []any{"field", T("project.indicator.field.target"), "value", ""}},
			{`indicatori nuovo tipo=impatto nome=X base=0 obiettivo=5`, "project.indicator.error.unknown_kind", []any{"field", T("project.indicator.field.kind"), "value", "impatto"}},
			{`indicatori nuovo tipo=output nome=X base=0 obiettivo=5 direzione=sideways`, "project.indicator.error.unknown_direction", []any{"field", T("project.indicator.field.direction"), "value", "sideways"}},
			{`indicatori nuovo tipo=output nome=X base=zero obiettivo=5`, "project.indicator.bad_number", []any{"field", T("project.indicator.field.baseline"), "value", "zero"}},
			{`indicatori nuovo tipo=output base=0 obiettivo=5`, "project.indicator.name_required", nil},
			{`indicatori nuovo tipo=output nome="Piste ciclabili" base=0 obiettivo=5`, "project.error.duplicate_indicator", []any{"name", "Piste ciclabili"}},
			{`indicatori misura 9 valore=1`, "project.indicator.not_found", []any{"indicator", "9", "id", id}},
			{`indicatori misura 1 valore=tanto`, "project.indicator.bad_number", []any{"field", T("project.indicator.field.value"), "value", "tanto"}},
			{`indicatori misura 1 data=2026-01-01`, "project.indicator.missing", []any{"field", T("project.indicator.field.value")}},
			// Numbers whose arithmetic overflowed ("da -Inf a +Inf", "NaN%", "+Inf%").
			{`indicatori nuovo tipo=output nome=X base=-1e308 obiettivo=1e308`, "project.indicator.error.out_of_range", []any{"field", T("project.indicator.field.baseline"), "value", "-1e308", "decimals", 6}},
			{`indicatori nuovo tipo=output nome=X base=0 obiettivo=1e-320`, "project.indicator.error.out_of_range", []any{"field", T("project.indicator.field.target"), "value", "1e-320", "decimals", 6}},
			{`indicatori nuovo tipo=output nome=X base=0 obiettivo=0,1234567`, "project.indicator.error.out_of_range", []any{"field", T("project.indicator.field.target"), "value", "0,1234567", "decimals", 6}},
			{`indicatori misura 1 valore=1e308`, "project.indicator.error.out_of_range", []any{"field", T("project.indicator.field.value"), "value", "1e308", "decimals", 6}},
			{`indicatori misura 1 valore=3 data=0000-01-01`, "project.error.date_range", []any{"value", "0000-01-01", "min", bot.MinYear, "max", bot.MaxYear}},
			{`indicatori misura 1 valore=-2000000000000`, "project.indicator.error.out_of_range", []any{"field", T("project.indicator.field.value"), "value", "-2000000000000", "decimals", 6}},
		} {
			want := T(tc.key, tc.args...)
			if r := ask(b, "carla", cmd(tc.text)); !r.IsError || r.Text != want {
				t.Errorf("%s: %q → %q, want %q", locale, tc.text, r.Text, want)
			}
		}
		if n := countRows(t, store, `SELECT count(*) FROM indicators`); n != 2 {
			t.Errorf("%s: indicators = %d", locale, n)
		}
	}
}

// TestIndicatorExtremesShowNumbers: at the bounds an indicator accepts, the card shows numbers,
// never NaN or Inf.
func TestIndicatorExtremesShowNumbers(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	id := mustCreate(t, b, store, "titolo=Cantiere obiettivi=DUP-1.2")
	for _, s := range []string{
		`indicatori nuovo tipo=output nome=Ampio base=-1000000000000 obiettivo=1000000000000`,
		`indicatori nuovo tipo=output nome=Fine base=0 obiettivo=0,000001`,
		`indicatori misura 1 valore=1000000000000 data=2026-03-01`,
		`indicatori misura 2 valore=-1000000000000 data=2026-03-01`,
	} {
		if r := ask(b, "carla", fmt.Sprintf("progetto %d %s", id, s)); r.IsError {
			t.Fatalf("%q: %s", s, r.Text)
		}
	}
	card := ask(b, "carla", fmt.Sprintf("progetto %d indicatori", id)).PlainText()
	wantText(t, "card", card, "da -1000000000000 a 1000000000000", "Avanzamento 100%", "Avanzamento -100000000000000000000%")
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(card, bad) {
			t.Errorf("card shows %s:\n%s", bad, card)
		}
	}
}

func TestProjectsListIsPaginatedAndFiltered(t *testing.T) {
	t.Parallel()
	b, store := newProjectBot(t, "it")
	for i := 1; i <= 12; i++ {
		obj := "DUP-1.2"
		if i%4 == 0 {
			obj = "DUP-3.1"
		}
		mustCreate(t, b, store, fmt.Sprintf(`titolo="Progetto numero %d" obiettivi=%s`, i, obj))
	}
	r := ask(b, "luca", "progetti")
	if r.IsError || len(r.Sections) != 10 || !strings.Contains(r.Text, "Pagina 1 di 2 · progetti trovati: 12.") ||
		len(r.Choices) != 1 || r.Choices[0].Command != "progetti pagina=2" || !strings.Contains(r.Sections[0].Title, "numero 12") {
		t.Fatalf("page 1 = %+v", r)
	}
	r = ask(b, "luca", r.Choices[0].Command)
	if r.IsError || len(r.Sections) != 2 || len(r.Choices) != 1 || r.Choices[0].Command != "progetti pagina=1" {
		t.Fatalf("page 2 = %+v", r)
	}
	if r := ask(b, "luca", "progetti pagina=3"); !r.IsError {
		t.Fatalf("page 3 = %+v", r)
	}
	if r := ask(b, "luca", "progetti obiettivo DUP-3.1"); r.IsError || len(r.Sections) != 3 {
		t.Fatalf("by objective = %+v", r)
	}
	if r := ask(b, "luca", "progetti mie"); r.IsError || r.Text != i18n.T("it", "projects.none") {
		t.Fatalf("luca's = %+v", r)
	}
	if r := ask(b, "carla", "progetti mie fase=ideazione"); r.IsError || !strings.Contains(r.Text, "progetti trovati: 12.") || r.Choices[0].Command != "progetti mie fase=ideazione pagina=2" {
		t.Fatalf("carla's = %+v", r)
	}
	if r := ask(b, "luca", "progetti fase=concluso"); r.IsError || r.Text != i18n.T("it", "projects.none") {
		t.Fatalf("closed = %+v", r)
	}
	// Objectives without projects: managers and admins only.
	if r := ask(b, "luca", "progetti senza-obiettivo"); !r.IsError {
		t.Fatalf("employee saw orphans: %+v", r)
	}
	if r := ask(b, "diego", "projects objectives without projects"); r.IsError || !strings.Contains(r.PlainText(), "DUP-4.0 — Transizione digitale") ||
		strings.Contains(r.PlainText(), "DUP-1.2") {
		t.Fatalf("orphans = %s", r.PlainText())
	}
}
