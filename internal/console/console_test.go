package console_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
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
	if _, err := pool.Exec(ctx, `INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS'), ('appalti', 'Appalti', 'Procurement')`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := strings.NewReader("aiuto\nprofilo\nprofilo interessi=\"open data\" competenze=gis:3,appalti\nprivacy esporta\n")
	c := console.New(console.Config{Bot: b, Handle: "mario", In: in, Out: &out, OutputDir: dir})
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Cantieri: lavorare per progetti", // help title
		"Profilo di mario",
		"Profilo aggiornato.",
		"Competenze: GIS (esperto), Appalti (base)",
		"1) Modifica  → profilo modifica",
		"File salvato in " + dir + "/cantieri-dati-personali-",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "> ") {
		t.Errorf("piped mode printed prompts:\n%s", got)
	}
	var interests []string
	var skills int
	err := pool.QueryRow(ctx, `SELECT e.interests, (SELECT count(*) FROM employee_skills s WHERE s.employee_id = e.id)
		FROM employees e JOIN employee_identities i ON i.employee_id = e.id
		WHERE i.transport = 'console' AND i.external_id = 'mario'`).Scan(&interests, &skills)
	if err != nil {
		t.Fatalf("mario's row: %v", err)
	}
	if strings.Join(interests, ",") != "open data" || skills != 2 {
		t.Fatalf("row = %q %d", interests, skills)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "cantieri-dati-personali-*.json"))
	if len(files) != 1 {
		t.Fatalf("export files = %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if st, _ := os.Stat(files[0]); !strings.Contains(string(data), `"open data"`) || st.Mode().Perm() != 0o600 {
		t.Fatalf("export %s (%v):\n%s", files[0], st.Mode(), data)
	}
}

func TestFormIsAskedFieldByFieldAndChoicesByNumber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	b := bot.New(bot.Config{Store: postgres.NewStore(pool)})
	var out bytes.Buffer
	if _, err := pool.Exec(ctx, `INSERT INTO skills (code, name_it, name_en) VALUES ('comunicazione', 'Comunicazione', 'Communication'), ('bilancio', 'Bilancio', 'Budgeting')`); err != nil {
		t.Fatal(err)
	}
	// "profilo" shows choice 1 (Modifica), "1" opens the form; then: name, skills, interests
	// (Enter keeps), capacity, language; then a second form cancelled half-way.
	in := strings.NewReader("profilo\n1\nGiulia Verdi\ncomunicazione:2, bilancio\n\n3\nen\nprofile edit\n\ncancel\n")
	c := console.New(console.Config{Bot: b, Handle: "giulia", In: in, Out: &out})
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Nome [attuale: giulia]:", "Capacità (progetti contemporanei) (Quanti progetti puoi seguire contemporaneamente (di solito 2)) [attuale: 2]:",
		"Lingua [valori possibili: auto (automatica), it (italiano), en (inglese)] [attuale: auto]:", "Profile updated.", "Skills: Communication (intermediate), Budgeting (base)",
		"Capacity (concurrent projects): 3", "Form cancelled: nothing changed."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	var name, locale string
	if err := pool.QueryRow(ctx, `SELECT display_name, locale FROM employees e JOIN employee_identities i ON i.employee_id = e.id
		WHERE i.external_id = 'giulia'`).Scan(&name, &locale); err != nil {
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

// TestNumberOutOfRangeSaysWhichNumbers: "7" when three choices were offered is not an unknown
// command "7" ("did you mean «?»"): the console says which numbers may be picked.
func TestNumberOutOfRangeSaysWhichNumbers(t *testing.T) {
	t.Parallel()
	b := bot.New(bot.Config{Store: postgres.NewStore(pgtest.NewPool(t))})
	var out bytes.Buffer
	c := console.New(console.Config{Bot: b, Handle: "mario", In: strings.NewReader("7\nprofilo\n7\n0\n"), Out: &out})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"Non ci sono scelte da fare adesso", "Scegli un numero da 1 a 3, oppure scrivi un comando."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Non conosco il comando") {
		t.Errorf("a number was taken for a command:\n%s", got)
	}
	if n := strings.Count(got, "Scegli un numero da 1 a 3"); n != 2 {
		t.Errorf("out-of-range answers: %d, want 2 (7 and 0)", n)
	}
}

// TestExportNeverReusesAPlantedPath: the export's old name could be guessed, so someone could
// create it first in a shared directory (world-readable, or a link to a file of theirs) and read
// the personal data written through it. The export now goes to a new file with a random name,
// created exclusively, mode 0600; what was planted is left untouched.
func TestExportNeverReusesAPlantedPath(t *testing.T) {
	t.Parallel()
	for _, planted := range []string{"file", "symlink"} {
		t.Run(planted, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := pgtest.NewPool(t)
			b := bot.New(bot.Config{Store: postgres.NewStore(pool)})
			dir, elsewhere := t.TempDir(), t.TempDir()
			run := func(lines string) string {
				var out bytes.Buffer
				c := console.New(console.Config{Bot: b, Handle: "mario", In: strings.NewReader(lines), Out: &out, OutputDir: dir})
				if err := c.Run(ctx); err != nil {
					t.Fatal(err)
				}
				return out.String()
			}
			run("profilo\n")
			var id int64
			if err := pool.QueryRow(ctx, `SELECT employee_id FROM employee_identities WHERE transport = 'console' AND external_id = 'mario'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			old := filepath.Join(dir, fmt.Sprintf("cantieri-dati-personali-%d.json", id))
			target := filepath.Join(elsewhere, "target")
			if err := os.WriteFile(target, []byte("planted"), 0o644); err != nil {
				t.Fatal(err)
			}
			if planted == "file" {
				if err := os.WriteFile(old, []byte("planted"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(old, 0o644); err != nil { // whatever the umask
					t.Fatal(err)
				}
			} else if err := os.Symlink(target, old); err != nil {
				t.Fatal(err)
			}

			out := run("privacy esporta\n")
			for _, p := range []string{old, target} {
				data, err := os.ReadFile(p)
				if err != nil || string(data) != "planted" {
					t.Errorf("%s was written through: %q, %v", p, data, err)
				}
			}
			if st, err := os.Lstat(old); err != nil || (planted == "file" && st.Mode().Perm() != 0o644) {
				t.Errorf("planted %s changed: %v %v", old, st.Mode(), err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("cantieri-dati-personali-%d-*.json", id)))
			if len(files) != 1 {
				t.Fatalf("new export files = %v\n%s", files, out)
			}
			st, err := os.Lstat(files[0])
			if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
				t.Fatalf("export %s: %v %v", files[0], st.Mode(), err)
			}
			if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), `"mario"`) {
				t.Errorf("export lacks the data:\n%s", data)
			}
			if !strings.Contains(out, "File salvato in "+files[0]) {
				t.Errorf("reply does not name %s:\n%s", files[0], out)
			}
		})
	}
}

// A survey answered in the console: the list's button by number, the form's selects by number,
// label or value, a mistake explained and the form asked again with what was given.
func TestSurveyIsAnsweredInTheConsole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{strings.Repeat("k", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(bot.Config{Store: postgres.NewStore(pool), Surveys: surveys})
	var gina int64
	if err := pool.QueryRow(ctx, `WITH e AS (INSERT INTO employees (display_name, email) VALUES ('Gina', 'gina@example.it') RETURNING id)
		INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'console', 'gina', id FROM e RETURNING employee_id`).Scan(&gina); err != nil {
		t.Fatal(err)
	}
	o, err := surveys.Open(ctx, postgres.InstanceSpec{Template: "incontro", Subject: "meeting:1:1", Audience: []int64{gina},
		About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 1, Name: "Caffè"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// "valuta", then 1 (the survey's button); the form: 6 (not on the scale), "Sì" (a label),
	// 2 (the second option: no), an idea; the form again: "Molto utile" (the end's label), then
	// Enter keeps the rest; then the list again.
	in := strings.NewReader("valuta\n1\n6\nSì\n2\nUn archivio comune\nMolto utile\n\n\n\nvaluta\n")
	var out bytes.Buffer
	if err := console.New(console.Config{Bot: b, Handle: "gina", In: in, Out: &out}).Run(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		fmt.Sprintf("1) Rispondi al n. %d  → valuta %d", o.ID, o.ID),
		"*Com'è andato l'incontro tra uffici*\nSugli incontri di scambio di «Caffè»\nLe risposte sono anonime",
		"Questionario: rispondi campo per campo.",
		"1. Quanto ti è stato utile l'incontro? [valori possibili: 1 — Per niente utile, 2, 3, 4, 5 — Molto utile]:",
		"2. Hai imparato qualcosa sul lavoro di un altro ufficio? [valori possibili: Sì, No]:",
		"4. Un'idea di collaborazione nata dall'incontro (facoltativo) (Al massimo 500 caratteri.",
		"Non ho registrato la risposta: c'è una cosa da correggere.\n• *1. Quanto ti è stato utile l'incontro?* (`utilita`): la risposta non è tra quelle possibili",
		"[valori possibili: 1 — Per niente utile, 2, 3, 4, 5 — Molto utile] [attuale: 6]:",
		"[valori possibili: Sì, No] [attuale: sì]:",
		"[attuale: Un archivio comune]:",
		"Grazie! La tua risposta è registrata in forma anonima",
		"Non hai questionari in attesa di risposta.",
		"Negli ultimi 90 giorni hai risposto a un questionario: grazie.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	st, err := surveys.Status(ctx, o.ID)
	if err != nil || st.Answered != 1 || st.Pending != 1 {
		t.Fatalf("status %+v %v, want one answer pending", st, err)
	}
}

// TestAFanOutPrintsAFewMessagesAndCountsTheRest: the messages a command causes to other people
// print up to MaxShownMessages, the rest are counted in one line (the monthly pulse reaches the
// whole council); those to the console's own person always print; the count starts again at
// the next command.
func TestAFanOutPrintsAFewMessagesAndCountsTheRest(t *testing.T) {
	t.Parallel()
	b := bot.New(bot.Config{Store: postgres.NewStore(pgtest.NewPool(t))})
	var out bytes.Buffer
	var c *console.Console
	settles := 0
	c = console.New(console.Config{Bot: b, Handle: "hr", In: strings.NewReader("profilo\nprofilo\n"), Out: &out,
		Settle: func(ctx context.Context) {
			settles++
			if settles > 1 {
				return
			}
			for i := range console.MaxShownMessages + 20 {
				if _, err := c.Post(ctx, fmt.Sprintf("console:p%d", i), bot.Reply{Text: fmt.Sprintf("messaggio %d", i)}); err != nil {
					t.Error(err)
				}
			}
			if _, err := c.Post(ctx, "console:hr", bot.Reply{Text: "per me"}); err != nil {
				t.Error(err)
			}
		}})
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if n := strings.Count(got, "[→ console:p"); n != console.MaxShownMessages {
		t.Errorf("%d messages to others printed, want %d:\n%s", n, console.MaxShownMessages, got)
	}
	if !strings.Contains(got, "[→ console:hr]\nper me") {
		t.Errorf("the console's own message is not printed:\n%s", got)
	}
	if strings.Count(got, "(…e altri 20 messaggi ad altre persone, non mostrati qui per brevità.)") != 1 {
		t.Errorf("the hidden messages are not counted once:\n%s", got)
	}
}
