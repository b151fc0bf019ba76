package main

import (
	"context"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// TestSeedDemoFillsAnEmptyDatabaseOnce seeds a fresh database through the real importer, checks
// the summary, refuses a second seed, and then talks to the bot as the demo employee, whose
// profile shows the imported unit and skills.
func TestSeedDemoFillsAnEmptyDatabaseOnce(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	ctx := context.Background()

	e, out, errb := testEnv(vars, "")
	if code := e.run(ctx, []string{"seed", "demo", "--employees", "200", "--seed", "3"}); code != 0 {
		t.Fatalf("seed: code %d, stderr %s", code, errb)
	}
	for _, want := range []string{"sites", "units", "6 Aree", "skills", "objectives", "employees", "200",
		"console --as mario.rossi", "console --as giulia.cecchi", "console --as laura.bardazzi", "admin", "dirigente"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}

	e, _, errb = testEnv(vars, "")
	if code := e.run(ctx, []string{"seed", "demo"}); code != 1 || !strings.Contains(errb.String(), "EMPTY database") ||
		!strings.Contains(errb.String(), "200 employees") {
		t.Fatalf("second seed: code %d, stderr %s", code, errb)
	}

	// make demo after make seed: --if-needed accepts the demo council already there.
	e, out, errb = testEnv(vars, "")
	if code := e.run(ctx, []string{"seed", "demo", "--if-needed"}); code != 0 || !strings.Contains(out.String(), "already there") {
		t.Fatalf("seed --if-needed after seed: code %d, %s %s", code, out, errb)
	}

	e, out, errb = testEnv(vars, "profilo\n")
	if code := e.run(ctx, []string{"console", "--as", "mario.rossi"}); code != 0 {
		t.Fatalf("console: code %d, stderr %s", code, errb)
	}
	for _, want := range []string{"Mario Rossi", "Servizio Pianificazione Urbanistica", "Urbanistica e pianificazione territoriale", "GIS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("profile lacks %q:\n%s", want, out)
		}
	}

	e, out, errb = testEnv(vars, "profilo\n")
	if code := e.run(ctx, []string{"console", "--as", "giulia.cecchi"}); code != 0 {
		t.Fatalf("console: code %d, stderr %s", code, errb)
	}
	if !strings.Contains(out.String(), "Settore Urbanistica") || !strings.Contains(out.String(), "dirigente") {
		t.Errorf("the dirigente's profile does not show the Settore she heads:\n%s", out)
	}
}

func TestSeedUsageMistakes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"seed"},
		{"seed", "production"},
		{"seed", "demo", "--employees", "3"},
		{"seed", "demo", "--employees", "many"},
		{"seed", "demo", "extra"},
	} {
		e, _, errb := testEnv(nil, "")
		if code := e.run(context.Background(), args); code != 2 || errb.String() == "" {
			t.Errorf("%v: code %d, stderr %q", args, code, errb)
		}
	}
}

// --if-needed keeps the demo council, but another organisation is still refused: the demo's
// scripts would not run on it.
func TestSeedIfNeededRefusesAnotherOrganisation(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	ctx := context.Background()
	e, _, errb := testEnv(vars, "")
	if code := e.run(ctx, []string{"import", "sites", "../../examples/import/sites.csv"}); code != 0 {
		t.Fatalf("import: code %d, %s", code, errb)
	}
	e, _, errb = testEnv(vars, "")
	if code := e.run(ctx, []string{"import", "units", "../../examples/import/units.csv"}); code != 0 {
		t.Fatalf("import: code %d, %s", code, errb)
	}
	e, _, errb = testEnv(vars, "")
	if code := e.run(ctx, []string{"seed", "demo", "--if-needed"}); code != 1 || !strings.Contains(errb.String(), "EMPTY database") {
		t.Fatalf("seed --if-needed on another organisation: code %d, %s", code, errb)
	}
}
