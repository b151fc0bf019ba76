package main

import (
	"strings"
	"testing"
)

// TestProjectLifecycleThroughTheConsole runs examples/progetto.txt — the README's piped script —
// as a dirigente of the demo council: create a project, try realizzazione too early (refused,
// naming what is missing), assess robustness, add an output and an outcome indicator, measure
// them, enter realizzazione, and show the card.
func TestProjectLifecycleThroughTheConsole(t *testing.T) {
	t.Parallel()
	vars := seedDemo(t, 200)
	got := consoleScript(t, vars, "giulia.cecchi", exampleScript(t, "progetto.txt"))
	steps := []string{
		"Progetto 1 creato: ne sei il coordinatore.",
		"Fase cambiata: da ideazione a progettazione.",
		"Il progetto 1 non può ancora passare a realizzazione. Manca:",
		"• il controllo di robustezza (non ancora compilato)",
		"• almeno un indicatore di output",
		"• almeno un indicatore di outcome",
		"Controllo di robustezza salvato (versione 1).",
		"Indice complessivo: 3,58",
		"Indicatore #1 «Km di ciclovia realizzati» aggiunto al progetto 1.",
		"Indicatore #2 «Spostamenti in auto sul percorso» aggiunto al progetto 1.",
		"Avanzamento 25%, ultimo valore 3 km il 30/09/2027.",
		"Avanzamento 30%, ultimo valore 7400 veicoli/giorno il 30/09/2027.",
		"Fase cambiata: da progettazione a realizzazione.",
		"Budget: € 480.000,00",
		"Fase: realizzazione · coordinatore: Giulia Cecchi",
	}
	at := 0
	for _, want := range steps {
		i := strings.Index(got[at:], want)
		if i < 0 {
			t.Fatalf("after position %d the output lacks %q (steps must come in order):\n%s", at, want, got)
		}
		at += i + len(want)
	}
	// A plain employee may not move the phase of someone else's project.
	if out := consoleScript(t, vars, "mario.rossi", "progetto 1 fase monitoraggio\n"); strings.Contains(out, "Fase cambiata") {
		t.Fatalf("mario moved the phase:\n%s", out)
	}
}
