package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// TestExportAnswersCommand: the dates are checked (in both languages, exit 2); the answers go
// to a new 0600 file, never over an existing one, or to standard output with the count on
// standard error; the English words work.
func TestExportAnswersCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	vars := map[string]string{"DATABASE_URL": url}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		e, out, errb := testEnv(vars, "")
		code := e.run(ctx, args)
		return code, out.String(), errb.String()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "risposte", "--al", "2026-12-31", "x.csv"}, "manca --dal / missing --from"},
		{[]string{"export", "risposte", "--dal", "2026-02-30", "--al", "2026-12-31", "x.csv"}, `--dal "2026-02-30" non è una data valida / --from "2026-02-30" is not a valid date`},
		{[]string{"export", "answers", "--from", "2026-03-01", "--to", "2026-02-01", "x.csv"}, "--dal 2026-03-01 è dopo --al 2026-02-01 / --from 2026-03-01 is after --to 2026-02-01"},
		{[]string{"export", "risposte", "--dal", "2026-01-01", "--al", "2026-12-31"}, "serve un FILE"},
		{[]string{"export", "domande"}, "cantieri export risposte"},
	} {
		code, _, errb := run(c.args...)
		if code != 2 || !strings.Contains(errb, c.want) || !strings.Contains(errb, "Uso / Usage:") {
			t.Errorf("%v: code %d, %s", c.args, code, errb)
		}
	}

	for _, args := range [][]string{{"export", "risposte", "--help"}, {"export", "answers", "-h"}} {
		code, out, _ := run(args...)
		for _, want := range []string{"--dal string", "--from string", "--al string", "--to string", "SURVEY_MIN_RESPONDENTS", "docs/surveys.md", "risposte-2026.csv"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("%v: code %d, the help lacks %q:\n%s", args, code, want, out)
			}
		}
	}

	// Five answers to the pulse, released today.
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{"cmd-test-survey-key-0123456789abcdefgh"}})
	if err != nil {
		t.Fatal(err)
	}
	var people []int64
	for i := range 5 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ($1, $2) RETURNING id`,
			fmt.Sprintf("Persona %d", i), fmt.Sprintf("p%d@comune.example.it", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		people = append(people, id)
	}
	inst, err := store.CreateInstance(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:cli", Audience: people})
	if err != nil {
		t.Fatal(err)
	}
	_, tpl, err := store.LatestVersion(ctx, "polso")
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range people {
		r := survey.Response{}
		for _, q := range tpl.Questions {
			if q.Kind == survey.KindLikert {
				r[q.Key] = survey.Value{N: 1 + i}
			}
		}
		if err := store.Submit(ctx, inst.ID, e, r); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := store.Release(ctx, inst.ID); err != nil || n != 5 {
		t.Fatalf("release %d, %v", n, err)
	}

	from, to := time.Now().AddDate(0, 0, -1).Format(time.DateOnly), time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	path := filepath.Join(t.TempDir(), "risposte.csv")
	code, out, errb := run("export", "risposte", "--dal", from, "--al", to, path)
	if want := fmt.Sprintf("Scritte 25 righe in %s (risposte rilasciate dal %s al %s).", path, from, to); code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("export: code %d, %q %s; want %q", code, out, errb, want)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v, %v", fi, err)
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 26 || lines[0] != "survey,version,instance,question,kind,response,department_code,department_name,day,value,text" ||
		!strings.HasPrefix(lines[1], "polso,1,pulse:cli,collaborazione,likert,") {
		t.Fatalf("file:\n%s", data)
	}
	// An existing file is never written over.
	if code, _, errb := run("export", "risposte", "--dal", from, "--al", to, path); code != 1 || !strings.Contains(errb, "esiste già") {
		t.Fatalf("existing file: code %d, %s", code, errb)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Fatal("the existing file changed")
	}
	// English words, standard output, the count on standard error in BOT_LOCALE.
	vars["BOT_LOCALE"] = "en"
	code, out, errb = run("export", "answers", "--from", from, "--to", to, "-")
	if code != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 26 || !strings.Contains(errb, "Wrote 25 rows to -") {
		t.Fatalf("to stdout: code %d\n%s\n%s", code, out, errb)
	}
}
