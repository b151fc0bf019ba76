package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// TestImportCommandWithTheExampleFiles imports the example files of examples/import in the
// documented order, shows that the broken example is refused line by line with exit code 1,
// and that importing everything again changes nothing.
func TestImportCommandWithTheExampleFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t)}
	dir := filepath.Join("..", "..", "examples", "import")
	run := func(args ...string) (int, string, string) {
		t.Helper()
		e, out, errb := testEnv(vars, "")
		code := e.run(ctx, append([]string{"import"}, args...))
		return code, out.String(), errb.String()
	}
	order := []struct{ kind, file, want string }{
		{"sedi", "sites.csv", "Righe lette: 4; nuove: 4; aggiornate: 0; invariate: 0."},
		{"unita", "units.csv", "Righe lette: 13; nuove: 13"},
		{"competenze", "skills.csv", "Righe lette: 8; nuove: 8"},
		{"obiettivi", "objectives.csv", "Righe lette: 6; nuove: 6"},
	}
	for _, s := range order {
		if code, out, errb := run(s.kind, filepath.Join(dir, s.file)); code != 0 || !strings.Contains(out, s.want) {
			t.Fatalf("import %s: code %d\n%s%s", s.file, code, out, errb)
		}
	}

	code, out, errb := run("dipendenti", filepath.Join(dir, "employees-broken.csv"))
	if code != 1 {
		t.Fatalf("broken file: code %d\n%s%s", code, out, errb)
	}
	for _, want := range []string{
		"Importazione annullata, nessuna modifica: Dipendenti, righe con errori: 6.",
		"riga 3: unità «XYZ» sconosciuta.",
		"riga 4: l'e-mail «MARIA.ROSSI@comune.prato.it» compare già in una riga precedente del file.",
		"riga 5: livello non valido in «open-data:4»",
		"riga 6: livello non valido in «gis:x»",
		"riga 6: competenza «cucina» sconosciuta",
		"riga 7: il campo «name» è obbligatorio.",
		"riga 7: capacità «25» non valida",
		"riga 7: lingua «fr» non valida",
		"riga 7: fuso orario «Europa/Roma» sconosciuto",
		"riga 7: valore «forse» non valido nel campo «active»",
		"riga 8: l'indirizzo e-mail «non-una-email» non è valido.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "riga 2:") {
		t.Errorf("line 2 is fine but is reported:\n%s", out)
	}

	if code, out, errb := run("employees", filepath.Join(dir, "employees.csv")); code != 0 || !strings.Contains(out, "nuove: 6") {
		t.Fatalf("employees: code %d\n%s%s", code, out, errb)
	}
	// Everything again, from stdin and in English: nothing changes.
	vars["BOT_LOCALE"] = "en"
	for _, s := range append(order, struct{ kind, file, want string }{"employees", "employees.csv", ""}) {
		data, err := os.ReadFile(filepath.Join(dir, s.file))
		if err != nil {
			t.Fatal(err)
		}
		e, out, errb := testEnv(vars, string(data))
		if code := e.run(ctx, []string{"import", s.kind, "-"}); code != 0 || !strings.Contains(out.String(), "new: 0; updated: 0;") {
			t.Errorf("re-import %s: code %d\n%s%s", s.file, code, out, errb)
		}
	}
}

func TestImportCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"import"}, {"import", "dipendenti"}, {"import", "stipendi", "x.csv"}} {
		e, _, errb := testEnv(nil, "")
		if code := e.run(context.Background(), args); code != 2 || !strings.Contains(errb.String(), "cantieri import TIPO FILE") || !strings.Contains(errb.String(), "Uso / Usage:") {
			t.Errorf("%v: code %d, %s", args, code, errb)
		}
	}
	e, _, errb := testEnv(nil, "")
	if code := e.run(context.Background(), []string{"import", "sedi", filepath.Join(t.TempDir(), "missing.csv")}); code != 1 ||
		!strings.Contains(errb.String(), "missing.csv") {
		t.Errorf("missing file: code %d, %s", code, errb)
	}
}

// TestImportSurveysCommand: the example imports (a new template), again changes nothing, the
// broken example lists every problem with line and field and exits 1 with nothing stored, in
// English too.
func TestImportSurveysCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t)}
	dir := filepath.Join("..", "..", "examples", "surveys")
	run := func(args ...string) (int, string, string) {
		t.Helper()
		e, out, errb := testEnv(vars, "")
		code := e.run(ctx, append([]string{"import"}, args...))
		return code, out.String(), errb.String()
	}
	if code, out, errb := run("questionari", filepath.Join(dir, "questionari.yaml")); code != 0 ||
		!strings.Contains(out, "Nel file: 1; nuovi: 1; nuove versioni: 0; invariati: 0.") {
		t.Fatalf("import: code %d\n%s%s", code, out, errb)
	}
	if code, out, errb := run("surveys", filepath.Join(dir, "questionari.yaml")); code != 0 || !strings.Contains(out, "invariati: 1") {
		t.Fatalf("again: code %d\n%s%s", code, out, errb)
	}
	code, out, errb := run("questionari", filepath.Join(dir, "questionari-errati.yaml"))
	if code != 1 || !strings.Contains(out, "ci sono 11 errori da correggere") ||
		!strings.Contains(out, "riga 13, surveys[1].questions[2].kind: tipo «scale» sconosciuto") {
		t.Fatalf("broken: code %d\n%s%s", code, out, errb)
	}
	vars["BOT_LOCALE"] = "en"
	if code, out, _ := run("surveys", filepath.Join(dir, "questionari-errati.yaml")); code != 1 ||
		!strings.Contains(out, "line 25: the field «colour» does not belong here") {
		t.Fatalf("broken, English: code %d\n%s", code, out)
	}
	if code, _, errb := run("questionnaires", "x.yaml"); code != 2 || !strings.Contains(errb, "unknown kind") {
		t.Fatalf("unknown kind: code %d %s", code, errb)
	}
}
