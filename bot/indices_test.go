package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/indices"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The `indici` view: the council and the departments in the caller's scope — an admin all of
// them, a dirigente those at or under the units they head, never another — with a dash and a
// reason where a figure cannot be shown. Two pulses, k = 3: in 2026-10 S1 answers at 2
// (index 25) and S2 at 4 (75), council 50; in 2026-09 only S1 answered (S2: no answers kept).
func TestIndicesViewKeepsToTheCallersScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewStore(pool)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{"bot-test-survey-key-0123456789abcdefgh"}})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO org_units (code, name, type_label) VALUES ('A', 'Area Servizi', 'Area')`)
	people := map[string][]int64{}
	for code, name := range map[string]string{"S1": "Settore Uno", "S2": "Settore Due"} {
		exec(`INSERT INTO org_units (code, name, type_label, parent_id) SELECT $1, $2, 'Settore', id FROM org_units WHERE code = 'A'`, code, name)
		for i := range 4 {
			var id int64
			if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email, unit_id) VALUES ($1, $1 || '@comune.example.it',
				(SELECT id FROM org_units WHERE code = $2)) RETURNING id`, fmt.Sprintf("%s-%d", code, i), code).Scan(&id); err != nil {
				t.Fatal(err)
			}
			people[code] = append(people[code], id)
		}
	}
	// Console users: two dirigenti of one Settore each, the Area's, an admin, an employee.
	for _, p := range []struct{ handle, role, unit string }{
		{"uno", "dirigente", "S1"}, {"due", "dirigente", "S2"}, {"area", "dirigente", "A"}, {"amm", "admin", ""}, {"luca", "", ""},
	} {
		exec(`INSERT INTO employees (display_name, email) VALUES ($1, $1 || '@comune.example.it')`, p.handle)
		exec(`INSERT INTO employee_identities (employee_id, transport, external_id) SELECT id, 'console', $1 FROM employees WHERE display_name = $1`, p.handle)
		if p.role != "" {
			exec(`INSERT INTO employee_roles (employee_id, role) SELECT id, $2 FROM employees WHERE display_name = $1`, p.handle, p.role)
		}
		if p.unit != "" {
			exec(`INSERT INTO manager_units (employee_id, unit_id) SELECT e.id, u.id FROM employees e, org_units u
				WHERE e.display_name = $1 AND u.code = $2`, p.handle, p.unit)
		}
	}
	respond := func(conflict int) survey.Response {
		return survey.Response{"collaborazione": {N: 3}, "carico": {N: 3}, "obiettivi": {N: 4}, "possibilita": {N: 4}, "conflitto": {N: conflict}}
	}
	for _, m := range []struct {
		subject string
		depts   map[string]int
	}{{"pulse:2026-09", map[string]int{"S1": 2}}, {"pulse:2026-10", map[string]int{"S1": 2, "S2": 4}}} {
		inst, err := surveys.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: m.subject,
			Audience: append(append([]int64{}, people["S1"]...), people["S2"]...)})
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"S1", "S2"} {
			v, ok := m.depts[code]
			if !ok {
				continue
			}
			for _, e := range people[code][:3] {
				if err := surveys.Submit(ctx, inst.ID, e, respond(v)); err != nil {
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
	// A pulse still open is not shown.
	if _, err := surveys.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:2026-11", Audience: people["S1"]}); err != nil {
		t.Fatal(err)
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Config{Store: store, Indices: surveys, DefaultLocale: "it", Location: rome,
		Now: func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, rome) }})

	check := func(who, text string, want, never []string) bot.Reply {
		t.Helper()
		r := ask(b, who, text)
		txt := r.PlainText()
		if r.IsError || !r.Private {
			t.Errorf("%s %q: error %v, private %v:\n%s", who, text, r.IsError, r.Private, txt)
		}
		for _, w := range want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s %q lacks %q:\n%s", who, text, w, txt)
			}
		}
		for _, n := range never {
			if strings.Contains(txt, n) {
				t.Errorf("%s %q shows %q:\n%s", who, text, n, txt)
			}
		}
		return r
	}
	councilOct := "ottobre 2026: conflitto 50 · consapevolezza 75 · 6 risposte"
	s1Oct := "ottobre 2026: conflitto 25 · consapevolezza 75 · 3 risposte"
	s2Oct := "ottobre 2026: conflitto 75 · consapevolezza 75 · 3 risposte"
	s2Sep := "settembre 2026: — (nessuna risposta attribuita al settore)"
	check("uno", "indici", []string{"L'ente", councilOct, "Settore Uno (S1)", s1Oct, "settembre 2026: conflitto 25"},
		[]string{"Settore Due", "S2", "conflitto 75", "novembre"})
	check("due", "indici", []string{councilOct, "Settore Due (S2)", s2Oct, s2Sep}, []string{"Settore Uno", "S1"})
	check("area", "indici", []string{councilOct, s1Oct, s2Oct}, nil)
	check("amm", "indici mesi=1", []string{councilOct, s1Oct, s2Oct}, []string{"settembre"})
	check("uno", "indices unit=s1", []string{s1Oct}, []string{"Settore Due"})
	check("area", "indici unita=S2", []string{s2Oct}, []string{"Settore Uno"})

	// Another department, or one that does not exist: the same refusal, revealing nothing.
	other, missing := ask(b, "uno", "indici unita=S2"), ask(b, "uno", "indici unita=ZZ")
	if !other.IsError || strings.Contains(other.Text, "Settore Due") ||
		strings.ReplaceAll(other.Text, "S2", "ZZ") != missing.Text {
		t.Errorf("a department out of scope: %q (a missing one: %q)", other.Text, missing.Text)
	}
	if r := ask(b, "luca", "indici"); !r.IsError || !strings.Contains(r.Text, "dirigente") {
		t.Errorf("an employee asked for the indices: %q", r.Text)
	}
	if r := ask(b, "uno", "indici mesi=13"); !r.IsError || !strings.Contains(r.Text, "mesi") {
		t.Errorf("mesi=13: %q", r.Text)
	}
	if r := ask(b, "uno", "aiuto indici"); r.IsError || !strings.Contains(r.PlainText(), "unita=") {
		t.Errorf("help: %q", r.PlainText())
	}
}

// The notice speaks to each dirigente in their language, with the figures and the offices,
// keyed by department, month and person, due only while they head the department; someone
// with no address to write to gets nothing.
func TestConflictNoticeWording(t *testing.T) {
	t.Parallel()
	b := bot.New(bot.Config{})
	w := bot.ConflictWorsening{
		Department: indices.Department{ID: 7, Code: "A01-S02", Name: "Settore Mobilità"},
		Before:     indices.Month{Year: 2026, Month: time.August}, Now: indices.Month{Year: 2026, Month: time.October},
		BeforeFigure: indices.Figure{Value: 31.25, Respondents: 16}, NowFigure: indices.Figure{Value: 43.75, Respondents: 12},
		Awareness: indices.Figure{Value: 60, Respondents: 12}, Margin: 10,
		Offices:    []string{"Ufficio Traffico", "Ufficio Sosta"},
		Recipients: []bot.PersonRef{{ID: 3, SlackUserID: "U3", Locale: "en"}, {ID: 4}},
	}
	ns := b.ConflictNotices(w)
	if len(ns) != 1 {
		t.Fatalf("%d notices, want 1 (the second person has no address)", len(ns))
	}
	n := ns[0]
	txt := n.Reply.PlainText()
	for _, want := range []string{"Settore Mobilità (A01-S02)", "from *31* (August 2026, 16 responses) to *44* (October 2026, 12 responses)",
		"at least 10 points", "not about any person", "awareness index", "60 out of 100", "Ufficio Traffico, Ufficio Sosta", "managers only"} {
		if !strings.Contains(txt, want) {
			t.Errorf("notice lacks %q:\n%s", want, txt)
		}
	}
	if n.Key != "conflict-notice:7:2026-10:3" || n.Channel != "U3" || !n.Reply.Private ||
		n.Ref.Kind != bot.RefUnitHead || n.Ref.ID != 7 || len(n.Ref.People) != 1 || n.Ref.People[0] != 3 {
		t.Errorf("notice = %+v", n)
	}
	if len(n.Reply.Choices) != 2 || n.Reply.Choices[0].Command != "incontri nuovo" || n.Reply.Choices[1].Command != "indici unita=A01-S02" {
		t.Errorf("choices = %+v", n.Reply.Choices)
	}
}
