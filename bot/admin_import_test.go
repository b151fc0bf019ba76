package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// newImportBot returns a bot with the real importer and an admin, "hr".
func newImportBot(t *testing.T) (*bot.Bot, *postgres.Store, int64) {
	t.Helper()
	store := postgres.NewStore(pgtest.NewPool(t))
	b := bot.New(bot.Config{Store: store, Importer: postgres.NewImporter(store.Pool()), DefaultLocale: "it"})
	admin, err := store.EnsureEmployee(context.Background(), bot.Identity{Transport: bot.TransportConsole, ExternalID: "hr"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.GrantRole(context.Background(), 0, admin.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	return b, store, admin.ID
}

func askWithFile(b *bot.Bot, who, text, csv string) bot.Reply {
	return b.Handle(context.Background(), bot.Request{
		From:   bot.Identity{Transport: bot.TransportSlack, ExternalID: who},
		Source: bot.SourceSlashCommand, Text: text,
		Attachments: []bot.Attachment{{Name: "file.csv", Data: []byte(csv)}},
	})
}

func TestAdminImportFromAnAttachedFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store, adminID := newImportBot(t)
	// The Slack identity of the admin, for the attachment requests.
	if _, err := store.Pool().Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) VALUES ('slack', 'UHR', $1)`, adminID); err != nil {
		t.Fatal(err)
	}
	sites := "code;name;address\nPC;Palazzo Comunale;Piazza del Comune 2\n"
	r := askWithFile(b, "UHR", "admin importa sedi", sites)
	if r.IsError || r.Text != "Importazione completata: Sedi. Righe lette: 1; nuove: 1; aggiornate: 0; invariate: 0." {
		t.Fatalf("import = %q", r.PlainText())
	}
	r = askWithFile(b, "UHR", "admin import sites", sites)
	if r.IsError || !strings.Contains(r.Text, "nuove: 0; aggiornate: 0; invariate: 1") {
		t.Fatalf("re-import = %q", r.PlainText())
	}
	var actor int64
	if err := store.Pool().QueryRow(ctx, `SELECT actor_id FROM audit_log WHERE action = 'import.sites'`).Scan(&actor); err != nil || actor != adminID {
		t.Fatalf("audit actor = %d, %v; want %d", actor, err, adminID)
	}

	// A file with errors: the reply lists them, line by line, and nothing is written.
	r = askWithFile(b, "UHR", "admin importa unita", "code,name,type,site\nA01,Area Territorio,Area,PC\nA02,Area Risorse,Area,XX\nA03,,Area,\n")
	if !r.IsError || r.Text != "Importazione annullata, nessuna modifica: Unità organizzative, righe con errori: 2. Correggi il file e importalo di nuovo." {
		t.Fatalf("rejected = %q", r.Text)
	}
	if got := r.PlainText(); !strings.Contains(got, "riga 3: sede «XX» sconosciuta (campo «site»).\nriga 4: il campo «name» è obbligatorio.") {
		t.Fatalf("rejected = %q", got)
	}
	var units int
	if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM org_units`).Scan(&units); err != nil || units != 0 {
		t.Fatalf("a rejected file wrote %d units (%v)", units, err)
	}
}

func TestAdminImportPastedText(t *testing.T) {
	t.Parallel()
	b, store, _ := newImportBot(t)
	seedOrg(t, store)
	// As Slack delivers pasted text: in a code block, e-mails turned into links, a mention.
	text := "admin importa dipendenti\n```email,name,unit,slack_id\n" +
		"<mailto:xenia.bruni@comune.example.it|xenia.bruni@comune.example.it>,Xenia Bruni,A01-S01,<@U0XENIA|xenia>\n" +
		"anna.bianchi@comune.example.it,Anna Bianchi,A01-S01-V01,\n```"
	r := ask(b, "hr", text)
	if r.IsError || !strings.Contains(r.Text, "Righe lette: 2; nuove: 1; aggiornate: 0; invariate: 1.") {
		t.Fatalf("pasted import = %q", r.PlainText())
	}
	x, err := store.FindEmployee(context.Background(), bot.EmployeeRef{Transport: bot.TransportSlack, ExternalID: "U0XENIA"})
	if err != nil || x.Email != "xenia.bruni@comune.example.it" || x.Unit == nil || x.Unit.Code != "A01-S01" {
		t.Fatalf("xenia = %+v, %v", x, err)
	}
}

func TestAdminImportExplainsWhatIsMissing(t *testing.T) {
	t.Parallel()
	b, _, _ := newImportBot(t)
	for _, tc := range []struct{ text, want string }{
		{"admin importa", "Indica cosa importare"},
		{"admin importa stipendi", "Non so importare «stipendi»"},
		{"admin importa dipendenti", "Manca il file CSV. Allega il file al messaggio `admin importa dipendenti`"},
	} {
		if r := ask(b, "hr", tc.text); !r.IsError || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%q → %q, want %q", tc.text, r.Text, tc.want)
		}
	}
	// Only admins import.
	if r := ask(b, "mario", "admin importa sedi\ncode,name\nX,Y"); !r.IsError || !strings.Contains(r.Text, "amministratore") {
		t.Errorf("employee import = %q", r.Text)
	}
	// Without an importer (a deployment that does not wire one), a clear answer.
	store := postgres.NewStore(pgtest.NewPool(t))
	nb := bot.New(bot.Config{Store: store, DefaultLocale: "it"})
	hr, _ := store.EnsureEmployee(context.Background(), bot.Identity{Transport: bot.TransportConsole, ExternalID: "hr"})
	_ = store.GrantRole(context.Background(), 0, hr.ID, bot.RoleAdmin, nil)
	if r := ask(nb, "hr", "admin importa sedi\ncode,name\nX,Y"); !r.IsError || !strings.Contains(r.Text, "non è disponibile") {
		t.Errorf("no importer = %q", r.Text)
	}
}

func TestImportReplyCapsTheListAndFollowsTheLocale(t *testing.T) {
	t.Parallel()
	res := bot.ImportResult{Kind: bot.ImportEmployees, Rows: 60000}
	for i := range 250 {
		res.Errors = append(res.Errors, bot.RowError{Line: i/2 + 2, Code: "unknown_unit", Field: "unit", Value: fmt.Sprint("U", i)})
	}
	r := bot.ImportReply("it", res)
	lines := strings.Split(r.Sections[0].Text, "\n")
	if len(lines) != 201 || lines[0] != "riga 2: unità «U0» sconosciuta." || lines[200] != "…e altri 50 errori non mostrati." {
		t.Fatalf("%d lines, first %q, last %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if !strings.Contains(r.Text, "righe con errori: 125.") {
		t.Errorf("text = %q", r.Text)
	}
	ok := bot.ImportReply("en", bot.ImportResult{Kind: bot.ImportEmployees, Rows: 50000, Inserted: 48500, Updated: 1000, Unchanged: 500})
	if ok.Text != "Import complete: Employees. Rows read: 50,000; new: 48,500; updated: 1,000; unchanged: 500." {
		t.Errorf("en = %q", ok.Text)
	}
	if it := bot.ImportReply("it", bot.ImportResult{Kind: bot.ImportSites, Rows: 12345}); !strings.Contains(it.Text, "Righe lette: 12.345;") {
		t.Errorf("it = %q", it.Text)
	}
	for word, kind := range map[string]bot.ImportKind{"Sedi": bot.ImportSites, "unità": bot.ImportUnits, "skills": bot.ImportSkills,
		"OBIETTIVI": bot.ImportObjectives, "dipendenti": bot.ImportEmployees} {
		if k, ok := bot.ParseImportKind(word); !ok || k != kind {
			t.Errorf("ParseImportKind(%q) = %q, %v", word, k, ok)
		}
	}
}

// Pasted CSV may hold double quotes and run past the length of a command: only the first line
// is parsed as a command, the rest reaches the importer untouched.
func TestAdminImportPastedCSVWithQuotesAndLength(t *testing.T) {
	t.Parallel()
	b, _, _ := newImportBot(t)
	var csv strings.Builder
	csv.WriteString("code,name,address\n")
	for i := range 120 {
		fmt.Fprintf(&csv, "S%03d,\"Sede \"\"numero\"\" %d\",\"Via Roma %d, Prato\"\n", i, i, i)
	}
	r := ask(b, "hr", "admin importa sedi\n"+csv.String())
	if r.IsError || !strings.Contains(r.Text, "Righe lette: 120; nuove: 120") {
		t.Fatalf("pasted import = %q", r.PlainText())
	}
}
