package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/console"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

func TestPipedSessionCreatesAndShowsTheProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	b := bot.New(bot.Config{Store: postgres.NewStore(pool)})
	var out bytes.Buffer
	in := strings.NewReader("aiuto\nprofilo\nprofilo unita=\"Servizio Sistemi Informativi\" competenze=gis,appalti\n")
	c := console.New(console.Config{Bot: b, Handle: "mario", In: in, Out: &out})
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Cantieri: lavorare per progetti", // help title
		"Profilo di mario",
		"Profilo aggiornato.",
		"Competenze: gis, appalti",
		"1) Modifica  → profilo modifica",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "> ") {
		t.Errorf("piped mode printed prompts:\n%s", got)
	}
	var unit string
	var skills []string
	err := pool.QueryRow(ctx, `SELECT unit_label, skills FROM employees WHERE transport = 'console' AND external_id = 'mario'`).Scan(&unit, &skills)
	if err != nil {
		t.Fatalf("mario's row: %v", err)
	}
	if unit != "Servizio Sistemi Informativi" || strings.Join(skills, ",") != "gis,appalti" {
		t.Fatalf("row = %q %q", unit, skills)
	}
}

func TestFormIsAskedFieldByFieldAndChoicesByNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	b := bot.New(bot.Config{Store: postgres.NewStore(pool)})
	var out bytes.Buffer
	// "profilo" shows choice 1 (Modifica), "1" opens the form; then: name, unit (Enter keeps),
	// skills, language; then a second form cancelled half-way.
	in := strings.NewReader("profilo\n1\nGiulia Verdi\n\ncomunicazione, bilancio\nen\nprofile edit\n\ncancel\n")
	c := console.New(console.Config{Bot: b, Handle: "giulia", In: in, Out: &out})
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Nome:", "Lingua [valori possibili: auto, en, it] [attuale: auto]:", "Profile updated.", "Skills: comunicazione, bilancio", "Form cancelled: nothing changed."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	var name, locale string
	if err := pool.QueryRow(ctx, `SELECT display_name, locale FROM employees WHERE external_id = 'giulia'`).Scan(&name, &locale); err != nil {
		t.Fatal(err)
	}
	if name != "Giulia Verdi" || locale != "en" {
		t.Fatalf("row = %q %q", name, locale)
	}
}

func TestExitWordEndsTheSession(t *testing.T) {
	t.Parallel()
	b := bot.New(bot.Config{Store: postgres.NewStore(pgtest.NewPool(t))})
	var out bytes.Buffer
	c := console.New(console.Config{Bot: b, Handle: "x", In: strings.NewReader("esci\nprofilo\n"), Out: &out})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Arrivederci.") || strings.Contains(out.String(), "Profilo di") {
		t.Fatalf("output = %q", out.String())
	}
}
