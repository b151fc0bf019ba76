package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
)

func (f teamFixture) askAs(t *testing.T, who, text string) bot.Reply {
	t.Helper()
	r := ask(f.b, who, text)
	if r.IsError {
		t.Fatalf("%s as %s: %s", text, who, r.Text)
	}
	return r
}

func (f teamFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.store.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func wantText(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// newSince returns the notices recorded after the first n.
func newSince(t *testing.T, f teamFixture, n int) []sent {
	t.Helper()
	return notices(t, f.store)[n:]
}

// TestTeamInvitationFlow runs the whole flow through the core with the real store: proposal,
// swap, confirm, accept (twice: the second does nothing), decline with a reason, the
// coordinator's replacement, the last acceptances, and the formed team.
func TestTeamInvitationFlow(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)

	// A plain employee can neither see nor confirm the team.
	if r := ask(f.b, "luca", f.cmd("squadra %d conferma")); !r.IsError || !strings.Contains(r.Text, "Solo il coordinatore") {
		t.Errorf("luca confirmed: %q", r.Text)
	}
	if n := f.count(t, `SELECT count(*) FROM team_invitations`); n != 0 {
		t.Fatalf("invitations after a refused confirm: %d", n)
	}

	// Swap Aldo for Paolo in the proposal, then confirm that team with a channel.
	swap := f.cmd("squadra %d scambia %d %d", "Aldo", "Paolo")
	wantText(t, "swap", f.ask(t, swap).PlainText(), "Scambio applicato: Paolo al posto di Aldo.")
	r := f.ask(t, f.cmd("squadra %d conferma canale=sì scambi=%d:%d", "Aldo", "Paolo"))
	wantText(t, "confirm", r.PlainText(),
		"Inviti inviati a 3 persone: hanno 3 giorni per rispondere.",
		"Inviti su 3: accettati 0, in attesa 3, da sostituire 0.",
		fmt.Sprintf("*Paolo* (n. %d) — in attesa di risposta", f.ids["Paolo"]))
	sentNow := notices(t, f.store)
	if len(sentNow) != 3 {
		t.Fatalf("invitations sent: %+v", sentNow)
	}
	byChannel := map[string]sent{}
	for _, s := range sentNow {
		byChannel[s.channel] = s
	}
	for _, who := range []string{"gina", "greta", "paolo"} {
		s, ok := byChannel["console:"+who]
		if !ok {
			t.Fatalf("no invitation to %s: %+v", who, sentNow)
		}
		wantText(t, "invitation to "+who, s.body, "carla ti invita nella squadra del progetto", "Squadra: posti ancora da assegnare: 3",
			"«Mappa dei cantieri»", "Rispondi entro 3 giorni",
			f.cmd("[invito %d accetta]"), f.cmd("[invito %d rifiuta modulo]"))
		// An invitee is not the coordinator: who else was invited, and how they answer, is
		// not theirs to read.
		if strings.Contains(s.body, "(in attesa)") {
			t.Errorf("the invitation to %s shows the invitations' states:\n%s", who, s.body)
		}
	}
	if r := ask(f.b, "carla", f.cmd("squadra %d conferma")); !r.IsError || !strings.Contains(r.Text, "già stata confermata") {
		t.Errorf("second confirm: %q", r.Text)
	}

	// Gina accepts; a second click changes nothing and sends nothing.
	wantText(t, "accept", f.askAs(t, "gina", f.cmd("invito %d accetta")).Text, "Hai accettato")
	n := len(notices(t, f.store))
	wantText(t, "accept again", f.askAs(t, "gina", f.cmd("invito %d accetta")).Text, "Hai già accettato")
	if got := newSince(t, f, n); len(got) != 0 {
		t.Errorf("a double click sent %+v", got)
	}
	if c := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'team.answer'`); c != 1 {
		t.Errorf("answers audited: %d, want 1", c)
	}
	// Someone not invited cannot answer.
	if r := ask(f.b, "sara", f.cmd("invito %d accetta")); !r.IsError || !strings.Contains(r.Text, "Non hai un invito") {
		t.Errorf("sara answered: %q", r.Text)
	}

	// Paolo declines with a reason (the form's submission): the coordinator is told, with a
	// proposed replacement that keeps appalti covered.
	r = askValues(f.b, "paolo", f.cmd("invito %d rifiuta"), map[string]string{"motivo": "Sono in ferie a marzo"})
	wantText(t, "decline", r.Text, "Hai rifiutato l'invito")
	got := newSince(t, f, n)
	if len(got) != 1 || got[0].channel != "console:carla" {
		t.Fatalf("after the decline: %+v", got)
	}
	wantText(t, "decline notice", got[0].body, "Paolo ha rifiutato l'invito", "Motivo: Sono in ferie a marzo",
		fmt.Sprintf("Ti propongo *Aldo* (n. %d)", f.ids["Aldo"]), f.cmd("[squadra %d scambia %d %d]", "Paolo", "Aldo"))

	status := f.ask(t, f.cmd("squadra %d")).PlainText()
	wantText(t, "status", status, "Inviti su 3: accettati 1, in attesa 1, da sostituire 1.",
		"ha rifiutato il", "Motivo: Sono in ferie a marzo")

	// An accepted member cannot be swapped out; Paolo's slot goes to Aldo.
	if r := ask(f.b, "carla", f.cmd("squadra %d scambia %d %d", "Gina", "Piena")); !r.IsError {
		t.Errorf("swapped an accepted member: %q", r.Text)
	}
	n = len(notices(t, f.store))
	wantText(t, "replace", f.ask(t, f.cmd("squadra %d scambia %d %d", "Paolo", "Aldo")).Text, "Invito inviato a Aldo al posto di Paolo.")
	if got := newSince(t, f, n); len(got) != 1 || got[0].channel != "console:aldo" {
		t.Fatalf("after the replacement: %+v", got)
	}
	// Paolo is not invited again, even by hand.
	if r := ask(f.b, "carla", f.cmd("squadra %d scambia %d %d", "Greta", "Paolo")); !r.IsError {
		t.Errorf("re-invited Paolo: %q", r.Text)
	}

	// Greta and Aldo accept: the team is formed.
	f.askAs(t, "greta", f.cmd("invito %d accetta"))
	n = len(notices(t, f.store))
	wantText(t, "last accept", f.askAs(t, "aldo", f.cmd("invito %d accetta")).Text, "la squadra è completa")
	got = newSince(t, f, n)
	keys := map[string]bool{}
	for _, s := range got {
		keys[s.key] = true
	}
	for _, who := range []string{"Carla", "Gina", "Greta", "Aldo"} {
		id := f.ids[who]
		if who == "Carla" {
			id = int64(f.count(t, `SELECT employee_id FROM employee_identities WHERE external_id = 'carla'`))
		}
		if !keys[fmt.Sprintf("team-formed:%d:%d", f.project, id)] {
			t.Errorf("%s not told the team is formed: %+v", who, got)
		}
	}
	if !keys[fmt.Sprintf("team-channel:%d", f.project)] {
		t.Errorf("channel job not enqueued: %+v", got)
	}
	if c := f.count(t, `SELECT count(*) FROM team_members WHERE project_id = $1`, f.project); c != 3 {
		t.Errorf("team members = %d", c)
	}
	if c := f.count(t, `SELECT count(*) FROM collaboration_edges WHERE source = 'project' AND employee_a = ANY($1) AND employee_b = ANY($1)`,
		[]int64{f.ids["Gina"], f.ids["Greta"], f.ids["Aldo"]}); c != 3 {
		t.Errorf("collaboration edges = %d, want 3", c)
	}
	if c := f.count(t, `SELECT count(*) FROM projects WHERE id = $1 AND team_formed_at IS NOT NULL`, f.project); c != 1 {
		t.Error("team_formed_at not set")
	}
	card := f.ask(t, f.cmd("progetto %d")).PlainText()
	wantText(t, "card", card, "Squadra: Gina, Greta, Aldo (dal ")
	// The team's own pairs are collaboration links now: the summary counts those it created
	// (it said "Nuovi legami: 0 su 3 coppie" once the team was formed).
	wantText(t, "formed status", f.ask(t, f.cmd("squadra %d")).PlainText(), "Squadra completa dal",
		"Legami creati dalla squadra: 3 su 3 coppie")
	wantText(t, "home", f.askAs(t, "gina", "home").PlainText(), "Le mie squadre", "«Mappa dei cantieri»")
	if r := ask(f.b, "carla", f.cmd("squadra %d sostituisci %d", "Greta")); !r.IsError || !strings.Contains(r.Text, "già completa") {
		t.Errorf("replace in a formed team: %q", r.Text)
	}

	// Capacity is consumed: Gina (capacity 2) now has one project less to give.
	if c := f.count(t, `SELECT e.capacity - (SELECT count(*) FROM team_members m WHERE m.employee_id = e.id) FROM employees e WHERE e.id = $1`, f.ids["Gina"]); c != 1 {
		t.Errorf("Gina's capacity left = %d, want 1", c)
	}

	// The channel plan: the coordinator and the team, the card in the default language.
	plan, err := f.b.TeamChannelPlan(context.Background(), f.project)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Name != fmt.Sprintf("cantieri-%d-mappa-dei-cantieri", f.project) || len(plan.Members) != 4 || !plan.Card.Public {
		t.Errorf("plan = %+v", plan)
	}

	// Privacy: Paolo's export has his invitation and his reason; erasure removes the reason.
	data, err := f.store.PersonalData(context.Background(), f.ids["Paolo"])
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Invitations) != 1 || data.Invitations[0].Reason != "Sono in ferie a marzo" || data.Invitations[0].Status != "declined" {
		t.Errorf("export invitations = %+v", data.Invitations)
	}
	if data, err = f.store.PersonalData(context.Background(), f.ids["Gina"]); err != nil || len(data.Teams) != 1 {
		t.Errorf("Gina's export teams = %+v (%v)", data.Teams, err)
	}
	if err := f.store.ErasePersonalData(context.Background(), f.ids["Paolo"], nil); err != nil {
		t.Fatal(err)
	}
	if c := f.count(t, `SELECT count(*) FROM team_invitations WHERE employee_id = $1 AND reason <> ''`, f.ids["Paolo"]); c != 0 {
		t.Error("the erased person's reason survived")
	}
}

// TestInvitationsExpireRemindAndCancel: the sweep expires invitations unanswered for three
// days (once), reminds the coordinator daily of older pending ones, and cancelling the project
// withdraws the rest.
func TestInvitationsExpireRemindAndCancel(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	ctx := context.Background()
	f.ask(t, f.cmd("squadra %d conferma"))
	if _, err := f.store.Pool().Exec(ctx, `UPDATE team_invitations SET invited_at = now() - interval '4 days' WHERE employee_id = $1`, f.ids["Greta"]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Pool().Exec(ctx, `UPDATE team_invitations SET invited_at = now() - interval '2 days' WHERE employee_id = $1`, f.ids["Gina"]); err != nil {
		t.Fatal(err)
	}
	n := len(notices(t, f.store))
	rome, _ := time.LoadLocation("Europe/Rome")
	res, err := f.b.SweepInvitations(ctx, time.Now(), rome)
	if err != nil {
		t.Fatal(err)
	}
	if res.Expired != 1 || res.Reminded != 1 {
		t.Errorf("sweep = %+v, want 1 expired, 1 reminder", res)
	}
	got := newSince(t, f, n)
	bodies := ""
	for _, s := range got {
		bodies += s.channel + ": " + s.body + "\n"
	}
	wantText(t, "sweep notices", bodies, "1 invito aspetta ancora una risposta",
		"console:greta: Il tuo invito nella squadra del progetto",
		"console:carla: Greta non ha risposto in 3 giorni",
		// Nobody else has gis with capacity left (Piena is in two teams already).
		"Nessuno con capacità libera può prendere il posto",
		"console:carla: Progetto", "Gina, invitato da 2 giorni")
	if strings.Contains(bodies, "Aldo, invitato") {
		t.Errorf("Aldo was invited today and is reminded:\n%s", bodies)
	}

	// The same sweep again: nothing new (the expiry happened, the reminder is keyed by day).
	n = len(notices(t, f.store))
	if res, err = f.b.SweepInvitations(ctx, time.Now(), rome); err != nil || res.Expired != 0 {
		t.Errorf("second sweep = %+v, %v", res, err)
	}
	if got := newSince(t, f, n); len(got) != 0 {
		t.Errorf("second sweep sent %+v", got)
	}
	if r := ask(f.b, "greta", f.cmd("invito %d accetta")); !strings.Contains(r.Text, "è scaduto") {
		t.Errorf("late answer: %q", r.Text)
	}

	// Cancelling the project withdraws the pending invitations and tells the invitees.
	wantText(t, "list", f.askAs(t, "gina", "invito").PlainText(), "Mappa dei cantieri", "aspetta la tua risposta")
	wantText(t, "home", f.askAs(t, "gina", "home").PlainText(), "Inviti nelle squadre", "«Mappa dei cantieri»: aspetta la tua risposta")
	carla := int64(f.count(t, `SELECT employee_id FROM employee_identities WHERE external_id = 'carla'`))
	n = len(notices(t, f.store))
	if err := f.store.ChangePhase(ctx, f.project, carla, bot.PhaseIdeazione, bot.PhaseAnnullato, "", "", bot.SurveyOpening{}); err != nil {
		t.Fatal(err)
	}
	got = newSince(t, f, n)
	if len(got) != 2 {
		t.Fatalf("cancellation notices: %+v", got)
	}
	for _, s := range got {
		wantText(t, "cancellation", s.body, "è stato annullato")
	}
	if c := f.count(t, `SELECT count(*) FROM team_invitations WHERE project_id = $1 AND status = 'pending'`, f.project); c != 0 {
		t.Errorf("%d invitations still pending", c)
	}
	if r := ask(f.b, "gina", f.cmd("invito %d accetta")); !strings.Contains(r.Text, "ritirato") {
		t.Errorf("answer after cancellation: %q", r.Text)
	}
}

// TestInvitationErrorsInEnglish: bad input gets a reply in the caller's language.
func TestInvitationErrorsInEnglish(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	f.askAs(t, "gina", "profilo lingua=en")
	for text, want := range map[string]string{
		"invitation abc":                         "I don't understand «abc» after `invitation`",
		f.cmd("invitation %d"):                   "You have no invitation to project",
		f.cmd("invitation %d accept per-favore"): "I don't understand",
		"invitation 999 accetta":                 "There is no project 999",
	} {
		r := ask(f.b, "gina", text)
		if !r.IsError && !strings.Contains(r.Text, want) {
			t.Errorf("%s: not an error: %q", text, r.Text)
		}
		if !strings.Contains(r.PlainText(), want) {
			t.Errorf("%s: %q lacks %q", text, r.PlainText(), want)
		}
	}
	if r := ask(f.b, "carla", f.cmd("squadra %d conferma canale=forse")); !r.IsError || !strings.Contains(r.Text, "«canale» vuole sì o no") {
		t.Errorf("bad channel answer: %q", r.Text)
	}
}

// An accepted invitation to a team still forming takes up capacity: Gina (capacity 1) said
// yes to one project, so her yes to another is refused with a reply that says why and how to
// change it, in her language, and the coordinator hears nothing of it.
func TestAcceptanceBeyondCapacityIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newTeamFixture(t)
	f.askAs(t, "gina", "profilo capacita=1")
	carla, err := f.store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "carla"})
	if err != nil {
		t.Fatal(err)
	}
	second := mustCreate(t, f.b, f.store, `titolo="Sportello unico" obiettivi=DUP-1.2 competenze=gis:2 squadra=3`)
	for _, pid := range []int64{f.project, second} {
		if _, err := f.store.InviteTeam(ctx, pid, carla.ID, []int64{f.ids["Gina"], f.ids["Paolo"]}, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.askAs(t, "gina", f.cmd("invito %d accetta"))
	before := len(notices(t, f.store))
	r := ask(f.b, "gina", fmt.Sprintf("invito %d accetta", second))
	if !r.IsError {
		t.Fatalf("acceptance beyond capacity: %q", r.Text)
	}
	wantText(t, "refusal", r.Text, "capacità è di 1 progetto", "Sportello unico", fmt.Sprintf("`invito %d rifiuta`", second), "`profilo capacita=N`")
	if got := newSince(t, f, before); len(got) != 0 {
		t.Errorf("a refused acceptance sent %d notices: %+v", len(got), got)
	}
	if n := f.count(t, `SELECT count(*) FROM team_invitations WHERE employee_id = $1 AND status = 'accepted'`, f.ids["Gina"]); n != 1 {
		t.Errorf("Gina holds %d accepted invitations, want 1", n)
	}
	f.askAs(t, "gina", "profilo lingua=en")
	r = ask(f.b, "gina", fmt.Sprintf("invitation %d accept", second))
	wantText(t, "English refusal", r.Text, "Your capacity is 1 project", fmt.Sprintf("`invitation %d decline`", second), "`profile capacity=N`")
	// Raising the capacity, as the reply says, lets the yes through.
	f.askAs(t, "gina", "profile capacity=2")
	f.askAs(t, "gina", fmt.Sprintf("invitation %d accept", second))
}
