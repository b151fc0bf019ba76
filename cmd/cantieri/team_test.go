package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// TestTeamProposalOnTheDemoCouncil seeds the demo council, creates the project of
// examples/progetto.txt's first line as giulia.cecchi and asks for a team: six people spanning
// several departments, shown the same way every time.
func TestTeamProposalOnTheDemoCouncil(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	ctx := context.Background()
	e, _, errb := testEnv(vars, "")
	if code := e.run(ctx, []string{"seed", "demo", "--employees", "300"}); code != 0 {
		t.Fatalf("seed: code %d, stderr %s", code, errb)
	}
	script, err := os.ReadFile("../../examples/progetto.txt")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(script), "\n")
	e, out, errb := testEnv(vars, first+"\nsquadra 1\nteam 1\n")
	if code := e.run(ctx, []string{"console", "--as", "giulia.cecchi"}); code != 0 {
		t.Fatalf("console: code %d, stderr %s", code, errb)
	}
	got := out.String()
	if !strings.Contains(got, "Progetto 1 creato") || !strings.Contains(got, "Squadra proposta per il progetto 1 «Ciclovia del Bisenzio»") {
		t.Fatalf("no proposal:\n%s", got)
	}
	members := regexp.MustCompile(`(?m)^\s*\d+\. \*[^*]+\* \(n\. \d+\)`).FindAllString(got, -1)
	if len(members) != 12 { // six members, twice
		t.Fatalf("members = %d, want 6 twice:\n%s", len(members), got)
	}
	m := regexp.MustCompile(`Dipartimenti coinvolti: (\d+)\.`).FindAllStringSubmatch(got, -1)
	if len(m) != 2 {
		t.Fatalf("summary lines = %v:\n%s", m, got)
	}
	if d, _ := strconv.Atoi(m[0][1]); d < 3 {
		t.Errorf("team spans %d departments, want several:\n%s", d, got)
	}
	i := strings.Index(got, "Squadra proposta")
	j := strings.LastIndex(got, "Squadra proposta")
	one, two := got[i:j], got[j:]
	if k := strings.Index(two, "Dipartimenti coinvolti"); k >= 0 {
		two = two[:k]
	}
	if !strings.HasPrefix(one, two) {
		t.Errorf("the same command gave different teams:\n%s\n---\n%s", one, two)
	}
}
