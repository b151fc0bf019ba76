package main

import (
	"strings"
	"testing"
)

// TestProjectEvaluationThroughTheConsole runs a project to its close through the console built
// by newCore (River's outbox, the survey store): an external evaluator asked and told by direct
// message, the milestone survey to the coordinator on entering monitoraggio, a final value, and
// at the close the internal survey to the coordinator and the external one to the evaluator,
// each message delivered once.
func TestProjectEvaluationThroughTheConsole(t *testing.T) {
	t.Parallel()
	vars := seedDemo(t, 200)
	script := exampleScript(t, "progetto.txt") + strings.Join([]string{
		"progetto 1 valutatori @mario.rossi",
		"progetto 1 fase monitoraggio",
		"progetto 1 indicatori misura 1 valore=12 data=2028-06-30 finale=sì",
		"progetto 1 fase concluso",
		"progetto 1",
	}, "\n") + "\n"
	got := consoleScript(t, vars, "giulia.cecchi", script)
	// The replies come in the order typed; the direct messages whenever River delivers them.
	at := 0
	for _, want := range []string{
		"Ho chiesto a Mario Rossi di valutare da esterno il progetto 1",
		"Fase cambiata: da realizzazione a monitoraggio.",
		"Valore finale di «Km di ciclovia realizzati» registrato al 30/06/2028.",
		"Fase cambiata: da monitoraggio a concluso.",
		"Manca il valore finale di «Spostamenti in auto sul percorso»",
		"Verdetto di replicabilità",
	} {
		i := strings.Index(got[at:], want)
		if i < 0 {
			t.Fatalf("after position %d the output lacks %q (steps must come in order):\n%s", at, want, got)
		}
		at += i + len(want)
	}
	for _, want := range []string{
		"[→ console:mario.rossi]\nValutazione del progetto 1: Ciclovia del Bisenzio\n" +
			"Giulia Cecchi ti chiede di valutare da esterno il progetto 1 «Ciclovia del Bisenzio»",
		"[→ console:giulia.cecchi]\nIl progetto a metà strada",
		"[→ console:giulia.cecchi]\nValutazione finale del progetto (squadra)",
		"[→ console:mario.rossi]\nValutazione finale del progetto (valutatori esterni)",
	} {
		if n := strings.Count(got, want); n != 1 {
			t.Errorf("%q delivered %d times, want once:\n%s", want, n, got)
		}
	}
	if n := strings.Count(got, "[→ console:"); n != 4 {
		t.Errorf("%d direct messages, want 4:\n%s", n, got)
	}
}
