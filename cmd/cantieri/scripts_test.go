package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// TestDemoScriptsThroughTheConsole runs what `make demo` runs, on the default demo council (the
// scripts name its people): the project's lifecycle, then its team — proposal, a swap,
// confirmation with a channel, invitations, a decline with the replacement proposed to the
// coordinator, acceptances, the formed team with its channel stand-in — then an exchange
// programme — creation with the next dates, enrolments, a pause, a private "never with", the
// preview, a round, two "did you meet?" answers and the card with the round's counts.
// seedDemo seeds the demo council (employees people; 0 means the default 1,500) into a new
// database with a Redis prefix of its own, and returns the settings to run commands on it.
func seedDemo(t *testing.T, employees int) map[string]string {
	t.Helper()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	args := []string{"seed", "demo"}
	if employees > 0 {
		args = append(args, "--employees", strconv.Itoa(employees))
	}
	e, _, errb := testEnv(vars, "")
	if code := e.run(context.Background(), args); code != 0 {
		t.Fatalf("seed: code %d, stderr %s", code, errb)
	}
	return vars
}

// consoleScript runs script (lines as typed) in the console as handle and returns what it printed.
func consoleScript(t *testing.T, vars map[string]string, handle, script string) string {
	t.Helper()
	e, out, errb := testEnv(vars, script)
	if code := e.run(context.Background(), []string{"console", "--as", handle}); code != 0 {
		t.Fatalf("console as %s: code %d, stderr %s", handle, code, errb)
	}
	return out.String()
}

// exampleScript reads examples/name.
func exampleScript(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDemoScriptsThroughTheConsole(t *testing.T) {
	t.Parallel()
	vars := seedDemo(t, 0)
	run := func(name string) string {
		t.Helper()
		return consoleScript(t, vars, "giulia.cecchi", exampleScript(t, name))
	}
	inOrder := func(name, got string, steps []string) {
		t.Helper()
		at := 0
		for _, s := range steps {
			i := strings.Index(got[at:], s)
			if i < 0 {
				t.Fatalf("%s: missing, or out of order, %q:\n%s", name, s, got)
			}
			at += i + len(s)
		}
	}
	contains := func(name, got string, parts []string) {
		t.Helper()
		for _, s := range parts {
			if !strings.Contains(got, s) {
				t.Errorf("%s: missing %q:\n%s", name, s, got)
			}
		}
	}

	run("progetto.txt")

	team := run("squadra.txt")
	// The console's own replies come in order; messages delivered by jobs interleave.
	inOrder("squadra.txt", team, []string{
		"Squadra proposta per il progetto 1 «Ciclovia del Bisenzio»",
		"Dipartimenti coinvolti: 6.",
		"Scambio applicato: Alberto Cappelli al posto di Hui Xu.",
		"Inviti inviati a 6 persone",
		"Ora sei «mario.rossi».",
		"Hai accettato: fai parte della squadra del progetto 1",
		"Hai già accettato l'invito al progetto 1",
		"Hai rifiutato l'invito al progetto 1",
		"Inviti su 6: accettati 1, in attesa 4, da sostituire 1.",
		"Invito inviato a Roberta Niccolai al posto di Alessandro Gallo.",
		"Eri l'ultima risposta che mancava: la squadra è completa.",
		"Squadra completa dal",
	})
	contains("squadra.txt", team, []string{
		"[→ console:mario.rossi]\nInvito nella squadra del progetto 1",
		"Alessandro Gallo ha rifiutato l'invito nella squadra del progetto 1",
		"Motivo: Sono già su due cantieri fino a giugno",
		"Ti propongo *Roberta Niccolai* (n. 27)",
		"[canale #cantieri-1-ciclovia-del-bisenzio creato",
		"[#cantieri-1-ciclovia-del-bisenzio: scheda del progetto fissata]",
		"Squadra: Mario Rossi, Roberta Niccolai, Patrizia Cocchi, Alberto Cappelli, Alessandra Giannini, Ilaria Banchelli (dal",
	})

	meet := run("incontri.txt")
	inOrder("incontri.txt", meet, []string{
		"Programma 1 «Caffè tra uffici» creato.",
		"Prossime date:",
		"Sei iscritto a «Caffè tra uffici».",
		"non sarai mai nello stesso gruppo di Mario Rossi",
		"salterai il prossimo giro di",
		"Giro 1: 4 gruppi, 8 persone. È solo un'anteprima: non ho inviato nulla.",
		"Patrizia Cocchi (in pausa)",
		"Giro 1 di «Caffè tra uffici» avviato: 4 gruppi, 8 persone, 1 persona lasciata fuori.",
		"Grazie! Ho registrato che vi siete incontrati.",
		"D'accordo: te lo richiedo tra qualche giorno.",
		"Si sono incontrati: 1; non ancora: 1; no: 0; senza risposta: 6.",
	})
	if n := strings.Count(meet, "Siete un gruppo del giro 1"); n != 4 {
		t.Errorf("group messages = %d, want 4:\n%s", n, meet)
	}
	if strings.Contains(meet, "console:hui.xu,console:mario.rossi") || strings.Contains(meet, "console:mario.rossi,console:hui.xu") {
		t.Errorf("hui.xu was grouped with mario.rossi despite «mai»:\n%s", meet)
	}
	contains("incontri.txt", meet, []string{"Giro 1 di «Caffè tra uffici»: 4 gruppi, 8 persone.", "Lasciate fuori (1): Patrizia Cocchi (in pausa)."})

	eval := run("valutazione.txt")
	inOrder("valutazione.txt", eval, []string{
		"Grazie! Ho registrato che vi siete incontrati. Com'è andata?",
		"Rispondi  → valuta 1",
		"Grazie! La tua risposta è registrata in forma anonima",
		"Ora sei «francesca.lombardo».",
		"Your answer was not recorded: 3 things need correcting.",
		"Thank you! Your answer is recorded anonymously",
		"Ora sei «mario.rossi».",
		"n. 1 — Com'è andato l'incontro tra uffici",
		"Hai già risposto al questionario «Com'è andato l'incontro tra uffici»: tengo la prima risposta",
		"inviato (questionario 2): 1500 persone invitate.",
		"messaggi ad altre persone, non mostrati qui per brevità.",
		"Questionari aperti",
		"Mario Rossi fa parte della squadra",
		"Ho chiesto a 5 persone",
		"Fase cambiata: da realizzazione a monitoraggio.",
		"Tutti gli indicatori hanno il loro valore finale.",
		"Fase cambiata: da monitoraggio a concluso.",
		"Questionario 4 chiuso: 5 risposte pubblicate",
		"Questionario 5 chiuso: 5 risposte pubblicate",
		"Valutazione finale della squadra\n5 risposte su 7 invitati.",
		"Valutazione finale esterna\n5 risposte su 5 invitati.",
		"Verdetto di replicabilità",
		"• squadra: replicabile così com'è, per la maggioranza",
		"• valutatori esterni: replicabile con adattamenti, per la maggioranza",
	})
	if n := strings.Count(eval, "Grazie! La tua risposta è registrata") + strings.Count(eval, "Thank you! Your answer is recorded"); n != 15 {
		t.Errorf("%d answers recorded, want 15 (5 after meeting, 5 team, 5 external):\n%s", n, eval)
	}
}
