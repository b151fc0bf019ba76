package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// TestAdminRunsSurveysByHand: "admin questionari polso" sends the month's pulse to everyone
// active, once (asked again it invites nobody twice); "aperti" shows the counts; "chiudi"
// publishes k waiting answers or discards fewer; a second close says so; English words work;
// an employee is refused.
func TestAdminRunsSurveysByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{testSurveyKey},
		Outbox: &recordingOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool, postgres.WithSurveys(surveys), postgres.WithOutbox(&recordingOutbox{}))
	b := bot.New(bot.Config{Store: store, SurveyAdmin: surveys, Surveys: surveys, DefaultLocale: "it"})
	admin, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.GrantRole(ctx, 0, admin.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	var people []int64
	for _, h := range []string{"p1", "p2", "p3", "p4"} {
		e, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: h})
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, e.ID)
	}

	if r := ask(b, "p1", "admin questionari polso"); !r.IsError || !strings.Contains(r.Text, "riservato al ruolo amministratore") {
		t.Fatalf("employee: %q", r.Text)
	}
	if r := ask(b, "hr", "admin questionari aperti"); r.Text != "Non c'è nessun questionario aperto." {
		t.Fatalf("none open: %q", r.Text)
	}
	r := ask(b, "hr", "admin questionari polso")
	if r.IsError || !strings.Contains(r.Text, "5 persone invitate") || !strings.Contains(r.Text, "Si può rispondere fino al") {
		t.Fatalf("pulse: %q", r.Text)
	}
	sentPulse := notices(t, store)
	if len(sentPulse) != 5 || !strings.Contains(sentPulse[0].body, "[valuta ") {
		t.Fatalf("pulse messages: %+v", sentPulse)
	}
	if r := ask(b, "hr", "admin surveys pulse"); !strings.Contains(r.Text, "era già stato inviato") || !strings.Contains(r.Text, "0 persone") {
		t.Fatalf("pulse again: %q", r.Text)
	}
	if n := len(notices(t, store)); n != 5 {
		t.Fatalf("%d messages after the second pulse, want 5", n)
	}
	var inst int64
	if err := pool.QueryRow(ctx, `SELECT id FROM survey_instances WHERE subject LIKE 'pulse:%'`).Scan(&inst); err != nil {
		t.Fatal(err)
	}
	_, pulse, err := surveys.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	resp := survey.Response{}
	for _, q := range pulse.Questions {
		if q.Kind == survey.KindLikert {
			resp[q.Key] = survey.Value{N: 3}
		}
	}
	for _, e := range people[:2] {
		if err := surveys.Submit(ctx, inst, e, resp); err != nil {
			t.Fatal(err)
		}
	}
	r = ask(b, "hr", "admin questionari aperti")
	if got := strings.ReplaceAll(r.PlainText(), "*", ""); !strings.Contains(got, "invitati 5, hanno risposto 2, in attesa 2, pubblicate 0") ||
		!strings.Contains(got, "almeno 3") {
		t.Fatalf("open: %s", got)
	}
	// Two waiting, k = 3: closing discards them unread.
	r = ask(b, "hr", "admin questionari chiudi "+itoa(inst))
	if !strings.Contains(r.Text, "0 risposte pubblicate") || !strings.Contains(r.Text, "2 risposte in attesa sono state scartate") {
		t.Fatalf("close: %q", r.Text)
	}
	if r := ask(b, "hr", "admin surveys close "+itoa(inst)); r.Text != "Il questionario "+itoa(inst)+" era già chiuso." {
		t.Fatalf("close again: %q", r.Text)
	}
	if r := ask(b, "hr", "admin questionari chiudi 999"); !r.IsError || !strings.Contains(r.Text, "non esiste") {
		t.Fatalf("unknown: %q", r.Text)
	}
	if r := ask(b, "hr", "admin questionari polso"); !strings.Contains(r.Text, "è già chiuso") {
		t.Fatalf("pulse after close: %q", r.Text)
	}
	var audited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action IN ('survey.pulse', 'survey.close') AND actor_id = $1`,
		admin.ID).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 3 {
		t.Fatalf("%d audited survey operations, want 3 (two pulses, one close)", audited)
	}
}
