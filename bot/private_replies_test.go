package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
)

// grant gives who (a console handle) role, creating their row first.
func (f teamFixture) grant(t *testing.T, who string, role bot.Role) {
	t.Helper()
	ask(f.b, who, "profilo")
	e, err := f.store.FindEmployee(context.Background(), bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: who})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.GrantRole(context.Background(), 0, e.ID, role, nil); err != nil {
		t.Fatal(err)
	}
}

func hasCommand(r bot.Reply, part string) bool {
	for _, c := range r.Choices {
		if strings.Contains(c.Command, part) {
			return true
		}
	}
	return false
}

// TestDeclineReasonAndStatesOnlyForTheCoordinator: a decline's reason, and who declined, are
// the coordinator's to read; an admin managing the team sees an open place, an employee reading
// the card sees who is in and how many places are left; the coordinator's views are Private.
func TestDeclineReasonAndStatesOnlyForTheCoordinator(t *testing.T) {
	t.Parallel()
	f := newTeamFixture(t)
	f.grant(t, "ada", bot.RoleAdmin)
	f.ask(t, f.cmd("squadra %d conferma"))
	f.askAs(t, "gina", f.cmd("invito %d accetta"))
	askValues(f.b, "aldo", f.cmd("invito %d rifiuta"), map[string]string{"motivo": "Problemi di salute in famiglia"})

	coord := f.ask(t, f.cmd("squadra %d"))
	wantText(t, "coordinator's status", coord.PlainText(), "Aldo", "Motivo: Problemi di salute in famiglia")
	if !coord.Private {
		t.Error("the coordinator's team status, with a decline reason, is not Private")
	}

	admin := f.askAs(t, "ada", f.cmd("squadra %d"))
	if txt := admin.PlainText(); strings.Contains(txt, "Problemi di salute") || strings.Contains(txt, "Aldo") {
		t.Errorf("the admin reads who declined and why:\n%s", txt)
	}
	wantText(t, "admin's status", admin.PlainText(), "3. posto libero", "Gina")
	if !hasCommand(admin, f.cmd("squadra %d sostituisci %d", "Aldo")) {
		t.Errorf("the admin cannot refill the open place: %+v", admin.Choices)
	}
	reps := f.askAs(t, "ada", f.cmd("squadra %d sostituisci %d", "Aldo"))
	if txt := reps.PlainText(); strings.Contains(txt, "Aldo") || !strings.Contains(txt, "chi occupava il posto 3") {
		t.Errorf("the admin's replacements name who declined:\n%s", txt)
	}

	card := f.askAs(t, "luca", f.cmd("progetto %d"))
	txt := card.PlainText()
	if strings.Contains(txt, "Aldo") || strings.Contains(txt, "(no)") || strings.Contains(txt, "Greta") {
		t.Errorf("an employee's card shows the invitations' states:\n%s", txt)
	}
	wantText(t, "employee's card", txt, "Squadra: Gina; posti ancora da assegnare: 2")
	for _, sub := range []string{" fase", " modifica", " robustezza"} {
		if hasCommand(card, sub) {
			t.Errorf("an employee is offered %q on the card: %+v", sub, card.Choices)
		}
	}
	if r := f.askAs(t, "luca", f.cmd("progetto %d fase")); len(r.Choices) != 0 {
		t.Errorf("an employee is offered phase moves: %+v", r.Choices)
	}
	if r := f.askAs(t, "luca", f.cmd("progetto %d indicatori")); hasCommand(r, "indicatori nuovo") {
		t.Errorf("an employee is offered a new indicator: %+v", r.Choices)
	}
	own := f.ask(t, f.cmd("progetto %d"))
	wantText(t, "coordinator's card", own.PlainText(), "Aldo (no)", "Gina (sì)")
	if !own.Private || !hasCommand(own, " fase") {
		t.Errorf("coordinator's card: private %v, choices %+v", own.Private, own.Choices)
	}

	// The invitee reads their own answers in the second person, privately.
	mine := f.askAs(t, "aldo", "invito")
	wantText(t, "own invitations", mine.PlainText(), "hai rifiutato il", "Motivo: Problemi di salute in famiglia")
	if !mine.Private {
		t.Error("one's own invitations are not Private")
	}
	for _, text := range []string{"profilo", "home", "opportunita", "privacy esporta"} {
		if r := f.askAs(t, "gina", text); !r.Private {
			t.Errorf("%s is not Private", text)
		}
	}
	if r := f.askAs(t, "gina", "profilo @carla"); r.Private {
		t.Error("a colleague's public profile is marked Private")
	}
}
