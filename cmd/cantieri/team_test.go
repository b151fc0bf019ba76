package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTeamProposalOnTheDemoCouncil seeds the demo council, creates the project of
// examples/progetto.txt's first line as giulia.cecchi and asks for a team: six people spanning
// several departments, shown the same way every time.
func TestTeamProposalOnTheDemoCouncil(t *testing.T) {
	t.Parallel()
	vars := seedDemo(t, 300)
	first, _, _ := strings.Cut(exampleScript(t, "progetto.txt"), "\n")
	got := consoleScript(t, vars, "giulia.cecchi", first+"\nsquadra 1\nteam 1\n")
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
