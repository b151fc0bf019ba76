package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
)

func TestAdminRoleIsProtectedAndAudited(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	luca := ask(b, "luca", "profilo") // Luca exists, with no role

	// A plain employee is refused, politely, and nothing changes.
	r := ask(b, "luca", "admin ruolo @anna.bianchi dirigente A01-S01")
	if !r.IsError || !strings.Contains(r.Text, "riservato al ruolo amministratore") {
		t.Fatalf("refusal = %q", r.Text)
	}
	anna, _ := store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	if len(anna.Roles) != 0 {
		t.Fatalf("a refused command changed roles: %v", anna.Roles)
	}
	_ = luca

	// Make Luca admin (as the CLI would), then he may assign roles.
	l, _ := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "luca"})
	if err := store.GrantRole(ctx, 0, l.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, want string }{
		{"admin ruolo @anna.bianchi dirigente", "Un dirigente dirige almeno un'unità"},
		{"admin ruolo @anna.bianchi dirigente XX9", "L'unità «XX9» non esiste"},
		{"admin ruolo @anna.bianchi capo", "Il ruolo «capo» non esiste"},
		{"admin ruolo @nessuno coordinatore", "Non trovo «@nessuno»"},
		{"admin revoca @anna.bianchi dipendente", "Il ruolo dipendente spetta a tutti"},
		{"admin boh", "Non capisco «boh»"},
	} {
		if r := ask(b, "luca", tc.text); !r.IsError || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%q → %q, want %q", tc.text, r.Text, tc.want)
		}
	}
	if r := ask(b, "luca", "admin ruolo @anna.bianchi dirigente A01-S01"); r.IsError || r.Text != "Anna Bianchi ora ha il ruolo dirigente." {
		t.Fatalf("grant = %q", r.Text)
	}
	anna, _ = store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	if !anna.HasRole(bot.RoleManager) || len(anna.ManagedUnits) != 1 || anna.ManagedUnits[0].Code != "A01-S01" {
		t.Fatalf("anna = %+v", anna)
	}
	if show := ask(b, "anna.bianchi", "profilo").PlainText(); !strings.Contains(show, "Ruoli: dipendente, dirigente (Settore Territorio)") {
		t.Errorf("profile roles:\n%s", show)
	}
	var actions []string
	rows, _ := store.Pool().Query(ctx, `SELECT action || ':' || coalesce(actor_id::text, 'system') FROM audit_log ORDER BY id`)
	for rows.Next() {
		var a string
		_ = rows.Scan(&a)
		actions = append(actions, a)
	}
	want := []string{"role.grant:system", "role.grant:" + itoa(l.ID)}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Fatalf("audit log = %v, want %v", actions, want)
	}
	if r := ask(b, "luca", "admin revoca @anna.bianchi dirigente"); r.IsError {
		t.Fatalf("revoke = %q", r.Text)
	}
	anna, _ = store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	if anna.HasRole(bot.RoleManager) || len(anna.ManagedUnits) != 0 {
		t.Fatalf("after revoke anna = %+v", anna)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestExportContainsExactlyMyData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	ask(b, "anna.bianchi", "profilo competenze=gis:3 interessi=urbanistica")
	ask(b, "marco", `profilo nome="Marco Segreto" competenze=appalti:2 interessi=scacchi`)

	r := ask(b, "anna.bianchi", "privacy esporta")
	if r.IsError || r.File == nil || r.File.ContentType != "application/json" {
		t.Fatalf("export reply = %+v", r)
	}
	var d bot.PersonalData
	if err := json.Unmarshal(r.File.Data, &d); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, r.File.Data)
	}
	if d.Employee.Email != "anna.bianchi@comune.example.it" || d.Employee.DisplayName != "Anna Bianchi" ||
		d.Employee.Unit != "A01-S01-V01" || strings.Join(d.Employee.Interests, ",") != "urbanistica" ||
		len(d.Skills) != 1 || d.Skills[0] != (bot.PersonalSkill{Code: "gis", Level: 3}) ||
		len(d.Identities) != 1 || d.Identities[0].ExternalID != "anna.bianchi" {
		t.Fatalf("export = %+v", d)
	}
	for _, other := range []string{"Marco", "Segreto", "scacchi", "appalti", `"marco"`} {
		if strings.Contains(string(r.File.Data), other) {
			t.Errorf("anna's export contains someone else's %q:\n%s", other, r.File.Data)
		}
	}
	_ = ctx
}

func TestEraseRemovesPersonalDataAndKeepsAggregates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "en")
	seedOrg(t, store)
	ask(b, "anna.bianchi", "profilo competenze=gis:3 interessi=urbanistica lingua=it")
	headcount := func() (all, inUnit int) {
		err := store.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE unit_id IS NOT NULL) FROM employees`).Scan(&all, &inUnit)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	allBefore, unitBefore := headcount()

	// The first step only asks for confirmation.
	r := ask(b, "anna.bianchi", "privacy cancella")
	if len(r.Choices) != 2 || r.Choices[0].Command != "privacy cancella conferma" {
		t.Fatalf("confirmation = %+v", r)
	}
	if e, _ := store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"}); !e.Active {
		t.Fatal("asking for confirmation erased already")
	}
	r = ask(b, "anna.bianchi", "privacy cancella conferma")
	if r.IsError || !strings.Contains(r.Text, "sono stati cancellati") {
		t.Fatalf("erase reply = %q (in the language she chose)", r.Text)
	}
	var (
		name, email    *string
		active         bool
		skills, idents int
		interests      []string
	)
	err := store.Pool().QueryRow(ctx, `SELECT nullif(display_name, ''), email, active, interests,
		(SELECT count(*) FROM employee_skills s WHERE s.employee_id = e.id),
		(SELECT count(*) FROM employee_identities i WHERE i.employee_id = e.id)
		FROM employees e WHERE erased_at IS NOT NULL`).Scan(&name, &email, &active, &interests, &skills, &idents)
	if err != nil {
		t.Fatal(err)
	}
	if name != nil || email != nil || active || len(interests) != 0 || skills != 0 || idents != 0 {
		t.Fatalf("left after erase: name=%v email=%v active=%v interests=%v skills=%d identities=%d", name, email, active, interests, skills, idents)
	}
	if all, inUnit := headcount(); all != allBefore || inUnit != unitBefore {
		t.Fatalf("aggregates changed: %d/%d → %d/%d", allBefore, unitBefore, all, inUnit)
	}
	var audited int
	_ = store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'privacy.erase'`).Scan(&audited)
	if audited != 1 {
		t.Fatalf("erasures audited = %d", audited)
	}
	// Writing again starts from an empty profile: a new row, not the erased one.
	if show := ask(b, "anna.bianchi", "profile").PlainText(); !strings.Contains(show, "Profile of anna.bianchi") {
		t.Fatalf("after erase: %s", show)
	}
}

func TestOpportunitiesAndHome(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	if r := ask(b, "luca", "opportunita"); !strings.Contains(r.Text, "non ha ancora competenze") {
		t.Fatalf("no skills: %q", r.Text)
	}
	ask(b, "anna.bianchi", "profilo competenze=gis:3,bilancio:1")
	if r := ask(b, "anna.bianchi", "opportunita"); !strings.Contains(r.Text, "nessun progetto aperto") {
		t.Fatalf("no projects: %q", r.Text)
	}
	// Anna coordinates "Il suo progetto" and was invited to "Già invitata": neither is an
	// opportunity for her, though both need her gis.
	_, err := store.Pool().Exec(ctx, `
		INSERT INTO projects (title, phase) VALUES ('Mappa del verde', 'progettazione'), ('Nuovo portale', 'realizzazione'), ('Bilancio partecipato', 'ideazione'),
			('Il suo progetto', 'ideazione'), ('Già invitata', 'ideazione');
		UPDATE projects SET coordinator_id = (SELECT id FROM employees WHERE email = 'anna.bianchi@comune.example.it') WHERE title = 'Il suo progetto';
		INSERT INTO team_invitations (project_id, slot, employee_id, status)
			SELECT p.id, 1, e.id, 'declined' FROM projects p, employees e WHERE p.title = 'Già invitata' AND e.email = 'anna.bianchi@comune.example.it';
		INSERT INTO project_skills (project_id, skill_id, min_level, count)
			SELECT p.id, s.id, v.lvl, 1 FROM (VALUES ('Mappa del verde', 'gis', 2), ('Nuovo portale', 'gis', 1),
				('Bilancio partecipato', 'bilancio', 3), ('Mappa del verde', 'appalti', 1), ('Il suo progetto', 'gis', 1), ('Già invitata', 'gis', 1)) AS v(t, c, lvl)
			JOIN projects p ON p.title = v.t JOIN skills s ON s.code = v.c;`)
	if err != nil {
		t.Fatal(err)
	}
	// Only the open project whose level she meets: not the one in delivery, not the one
	// needing bilancio at 3, not her own nor the one she was invited to; only her matching
	// skill is named, with the level asked and hers, each labelled (it printed hers as if asked).
	got := ask(b, "anna.bianchi", "opportunities").PlainText()
	if !strings.Contains(got, "Mappa del verde") || strings.Contains(got, "Nuovo portale") || strings.Contains(got, "Bilancio partecipato") ||
		!strings.Contains(got, "cerca Sistemi informativi geografici (richiesto almeno intermedio; il tuo livello: esperto)") ||
		strings.Contains(got, "Appalti") || strings.Contains(got, "Il suo progetto") || strings.Contains(got, "Già invitata") {
		t.Fatalf("opportunities:\n%s", got)
	}
	home := ask(b, "anna.bianchi", "home")
	if !strings.Contains(home.PlainText(), "Ciao Anna Bianchi") || !strings.Contains(home.PlainText(), "Progetti aperti che cercano le tue competenze: 1.") ||
		!strings.Contains(home.PlainText(), "Mappa del verde") || len(home.Choices) < 4 {
		t.Fatalf("home:\n%s\n%+v", home.PlainText(), home.Choices)
	}
}

func TestHomeListsMyProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, store := newBot(t, "it")
	b := bot.New(bot.Config{Store: store, Projects: store, DefaultLocale: "it"})
	seedOrg(t, store)
	if _, err := store.Pool().Exec(ctx, `INSERT INTO objectives (code, title) VALUES ('DUP-1', 'Città sostenibile')`); err != nil {
		t.Fatal(err)
	}
	if h := ask(b, "anna.bianchi", "home").PlainText(); !strings.Contains(h, "Non coordini ancora progetti") {
		t.Fatalf("home without projects:\n%s", h)
	}
	anna, _ := store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	for _, title := range []string{"Uno", "Due", "Tre", "Quattro"} {
		title := title
		if _, err := store.CreateProject(ctx, anna.ID, bot.ProjectInput{Title: &title, ObjectiveCodes: []string{"DUP-1"}}); err != nil {
			t.Fatal(err)
		}
	}
	h := ask(b, "anna.bianchi", "home").PlainText()
	if !strings.Contains(h, "I miei progetti") || !strings.Contains(h, "`progetto 4` Quattro (ideazione)") ||
		strings.Contains(h, "`progetto 1` Uno") || !strings.Contains(h, "…e un altro: `progetti mie`.") {
		t.Fatalf("home with projects:\n%s", h)
	}
}

// TestProfileSkillsSaysWhatChanged: competenze= replaces the whole list; the reply says what
// was added, removed and changed in level (it used to replace them silently).
func TestProfileSkillsSaysWhatChanged(t *testing.T) {
	t.Parallel()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	ask(b, "anna.bianchi", "profilo competenze=gis:1,bilancio:2")
	r := ask(b, "anna.bianchi", "profilo competenze=gis:3,appalti:2")
	if r.IsError {
		t.Fatal(r.Text)
	}
	for _, want := range []string{
		"Competenze aggiunte: Appalti pubblici (intermedio).",
		"Livello cambiato: Sistemi informativi geografici da base a esperto.",
		"Competenze tolte: Bilancio (intermedio).",
		"sostituisce l'elenco intero",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, r.Text)
		}
	}
	if r := ask(b, "anna.bianchi", "profile skills=gis:3,appalti:2 language=en"); !strings.Contains(r.Text, "Skills unchanged.") {
		t.Errorf("unchanged skills: %q", r.Text)
	}
	if r := ask(b, "anna.bianchi", "profile capacity=2"); strings.Contains(r.Text, "Skills") {
		t.Errorf("a change without skills= speaks of skills: %q", r.Text)
	}
}

// Units go with dirigente only: a coordinator given units is refused (nothing written), so
// that becoming dirigente of one unit later does not bring stray units along.
func TestUnitsOnlyWithDirigente(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	ask(b, "luca", "profilo")
	l, _ := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "luca"})
	if err := store.GrantRole(ctx, 0, l.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"admin ruolo @anna.bianchi coordinatore A01-S01", "admin ruolo @anna.bianchi admin A01-S01"} {
		r := ask(b, "luca", text)
		if !r.IsError {
			t.Fatalf("%s: %q", text, r.Text)
		}
		wantText(t, text, r.Text, "Le unità vanno solo con il ruolo dirigente", "`admin ruolo @persona dirigente A01-S01`")
	}
	anna, _ := store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	if len(anna.Roles) != 0 || len(anna.ManagedUnits) != 0 {
		t.Fatalf("a refused grant changed anna: roles %v, units %v", anna.Roles, anna.ManagedUnits)
	}
	ask(b, "luca", "profilo lingua=en")
	r := ask(b, "luca", "admin role @anna.bianchi coordinator A01-S01")
	wantText(t, "English refusal", r.Text, "Units go with the manager role only", "`admin role @person manager A01-S01`")

	for _, text := range []string{"admin ruolo @anna.bianchi coordinatore", "admin ruolo @anna.bianchi dirigente A01-S01-V01"} {
		if r := ask(b, "luca", text); r.IsError {
			t.Fatalf("%s: %q", text, r.Text)
		}
	}
	anna, _ = store.FindEmployee(ctx, bot.EmployeeRef{Email: "anna.bianchi@comune.example.it"})
	if len(anna.ManagedUnits) != 1 || anna.ManagedUnits[0].Code != "A01-S01-V01" {
		t.Fatalf("anna, dirigente of A01-S01-V01, heads %+v", anna.ManagedUnits)
	}
}

// The only active admin can neither revoke their own admin role nor erase their data (which
// takes the role away): everyone would be locked out of role assignment. With a second admin,
// both go through.
func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	ask(b, "luca", "profilo")
	l, _ := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "luca"})
	if err := store.GrantRole(ctx, 0, l.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	r := ask(b, "luca", "admin revoca @luca admin")
	if !r.IsError {
		t.Fatalf("the only admin revoked themselves: %q", r.Text)
	}
	wantText(t, "revoke refusal", r.Text, "unico amministratore attivo", "`admin ruolo @persona admin`")
	r = ask(b, "luca", "privacy cancella conferma")
	if !r.IsError {
		t.Fatalf("the only admin erased themselves: %q", r.Text)
	}
	wantText(t, "erasure refusal", r.Text, "Sei l'unico amministratore attivo", "Non ho cancellato nulla")
	if l, _ = store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "luca"}); !l.Active || !l.HasRole(bot.RoleAdmin) {
		t.Fatalf("after the refusals luca = %+v", l)
	}

	if r := ask(b, "luca", "admin ruolo @anna.bianchi admin"); r.IsError {
		t.Fatal(r.Text)
	}
	if r := ask(b, "luca", "admin revoca @luca admin"); r.IsError {
		t.Fatalf("revoke with another admin: %q", r.Text)
	}
	// Anna is now the only admin: the same rule holds for her.
	if r := ask(b, "anna.bianchi", "admin revoca @anna.bianchi admin"); !r.IsError {
		t.Fatalf("the new only admin revoked themselves: %q", r.Text)
	}
}
