package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// newBot returns a core on a fresh database (the real PostgreSQL: the core is tested through
// its real store, never a mock).
func newBot(t *testing.T, locale string) (*bot.Bot, *postgres.Store) {
	t.Helper()
	store := postgres.NewStore(pgtest.NewPool(t))
	return bot.New(bot.Config{Store: store, DefaultLocale: locale}), store
}

func ask(b *bot.Bot, who, text string) bot.Reply {
	return b.Handle(context.Background(), bot.Request{
		From:   bot.Identity{Transport: bot.TransportConsole, ExternalID: who, DisplayName: who},
		Source: bot.SourceConsole, Text: text,
	})
}

func TestHelpIsGeneratedFromDefinitions(t *testing.T) {
	t.Parallel()
	b, _ := newBot(t, "it")
	r := ask(b, "mario", "aiuto")
	txt := r.PlainText()
	for _, cmd := range b.Commands() {
		if cmd.Role != "" {
			if strings.Contains(txt, "*"+cmd.Name+"*") {
				t.Errorf("help shows %s, which needs the role %s, to an employee", cmd.Name, cmd.Role)
			}
			continue
		}
		if !strings.Contains(txt, cmd.Name) || !strings.Contains(txt, i18n.T("it", cmd.Summary)) {
			t.Errorf("help lacks %s or its summary:\n%s", cmd.Name, txt)
		}
	}
	// An empty command and the English alias give the help too.
	if got := ask(b, "mario", "").PlainText(); got != txt {
		t.Errorf("empty command should show help, got:\n%s", got)
	}
	if got := ask(b, "mario", "HELP").PlainText(); got != txt {
		t.Errorf("alias help should show help, got:\n%s", got)
	}

	r = ask(b, "mario", "aiuto profilo")
	for _, want := range []string{"`profilo [@persona] [nome=…]", "`profilo modifica", "`capacita=` — ", "da 0 a 10", i18n.T("it", "profile.sub.edit")} {
		if !strings.Contains(r.PlainText(), want) {
			t.Errorf("per-command help lacks %q:\n%s", want, r.PlainText())
		}
	}
}

func TestUnknownCommandInItalianAndEnglish(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ locale, want, hint string }{
		{"it", "Non conosco il comando «profilio»", "Forse intendevi «profilo»?"},
		{"en", "I don't know the command «profilio»", "Did you mean «profilo»?"},
	} {
		b, _ := newBot(t, tc.locale)
		r := ask(b, "mario", "profilio")
		if !r.IsError || !strings.Contains(r.Text, tc.want) || !strings.Contains(r.Text, tc.hint) {
			t.Errorf("%s: reply = %q", tc.locale, r.Text)
		}
		if len(r.Choices) == 0 || r.Choices[0].Command != b.Localize("aiuto", tc.locale) {
			t.Errorf("%s: unknown command should offer the help button, got %+v", tc.locale, r.Choices)
		}
	}
}

func TestMalformedKeyValueInItalianAndEnglish(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		key  string // catalogue key of the expected message, with its arguments
		args []any
	}{
		{"profilo =gis", "error.kv_empty_key", []any{"arg", "=gis"}},
		{`profilo nome="Maria Rossi`, "error.unbalanced_quote", []any{"quote", `"`}},
		{"profilo colore=blu", "grammar.unknown_field", []any{"key", "colore"}},
		{"profilo competenze=gis competenze=appalti", "error.kv_duplicate", []any{"key", "competenze"}},
		{"profilo competenze=gis skills=appalti", "grammar.field_twice", []any{"key", "skills", "other", "competenze"}},
		{"profilo capacty=2", "grammar.unknown_field_suggest", []any{"key", "capacty"}},
		{"profilo nome=", "profile.name_empty", nil},
		{"profilo lingua=fr", "profile.bad_locale", []any{"value", "fr"}},
		{"profilo nome=" + strings.Repeat("x", 81), "grammar.too_long", []any{"max", 80}},
		{"profilo ciao", "profile.bad_arg", []any{"arg", "ciao"}},
		{"profilo competenze=gis:4", "profile.bad_level", []any{"skill", "gis", "value", "4"}},
		{"profilo competenze=gis:x", "profile.bad_level", []any{"skill", "gis", "value", "x"}},
		{"profilo competenze=apalti:2", "profile.unknown_skill_suggest", []any{"skill", "apalti", "suggestion", "appalti"}},
		{"profilo competenze=gsi:2", "profile.unknown_skill_suggest", []any{"skill", "gsi", "suggestion", "gis"}},
		{"profilo competenze=astrofisica", "profile.unknown_skill", []any{"skill", "astrofisica"}},
		{"profilo capacita=-1", "profile.bad_capacity", []any{"value", "-1", "max", 10}},
		{"profilo capacita=due", "profile.bad_capacity", []any{"value", "due", "max", 10}},
		{"profilo @nessuno", "person.not_found", []any{"person", "@nessuno"}},
	}
	for _, locale := range []string{"it", "en"} {
		b, store := newBot(t, locale)
		seedOrg(t, store)
		for _, tc := range cases {
			r := ask(b, "mario", tc.text)
			// Grammar messages quote the reader's own words (field names, usage): compare
			// them with the catalogue's text before its first placeholder, plus the arguments.
			if strings.HasPrefix(tc.key, "grammar.") {
				head, _, _ := strings.Cut(i18n.T(locale, tc.key), "«")
				if !r.IsError || !strings.HasPrefix(r.Text, head) {
					t.Errorf("%s %q: got %q, want a %s message", locale, tc.text, r.Text, tc.key)
				}
				for i := 1; i < len(tc.args); i += 2 {
					if !strings.Contains(r.Text, fmt.Sprint(tc.args[i])) {
						t.Errorf("%s %q: got %q, lacks %v", locale, tc.text, r.Text, tc.args[i])
					}
				}
				continue
			}
			if want := i18n.T(locale, tc.key, tc.args...); !r.IsError || r.Text != want {
				t.Errorf("%s %q:\n got %q\nwant %q", locale, tc.text, r.Text, want)
			}
		}
		// Nothing was half-written: the profile is still empty.
		e, err := store.EnsureEmployee(context.Background(), bot.Identity{Transport: bot.TransportConsole, ExternalID: "mario"})
		if err != nil {
			t.Fatal(err)
		}
		if e.DisplayName != "mario" || e.Capacity != 2 || len(e.Skills) != 0 {
			t.Errorf("%s: a refused update changed the profile: %+v", locale, e)
		}
	}
}

func TestProfileEditShowAndLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, store := newBot(t, "it")
	seedOrg(t, store)
	anna := bot.Identity{Transport: bot.TransportConsole, ExternalID: "anna.bianchi"}
	r := ask(b, "anna.bianchi", `profilo competenze="GIS:3, Appalti pubblici:2,gis:3" interessi="mobilità sostenibile, open data" capacita=1`)
	if r.IsError || !strings.Contains(r.Text, "Profilo aggiornato") {
		t.Fatalf("update reply = %q", r.PlainText())
	}
	e, _ := store.EnsureEmployee(ctx, anna)
	if len(e.Skills) != 2 || e.Skills[0].Code != "gis" || e.Skills[0].Level != 3 || e.Skills[1].Code != "appalti" ||
		e.Capacity != 1 || strings.Join(e.Interests, "|") != "mobilità sostenibile|open data" {
		t.Fatalf("stored profile = %+v", e)
	}
	show := ask(b, "anna.bianchi", "profilo").PlainText()
	for _, want := range []string{"Profilo di Anna Bianchi", "Unità organizzativa: Servizio Urbanistica (Servizio)",
		"Settore: Settore Territorio (Settore)", "Sede: Palazzo Comunale", "Competenze: Sistemi informativi geografici (esperto), Appalti pubblici (intermedio)",
		"Capacità (progetti contemporanei): 1", "Ruoli: dipendente"} {
		if !strings.Contains(show, want) {
			t.Errorf("profile lacks %q:\n%s", want, show)
		}
	}
	// Someone else sees the public profile only: no interests, capacity or e-mail.
	other := ask(b, "luca", "profilo @anna.bianchi").PlainText()
	if !strings.Contains(other, "Profilo di Anna Bianchi") || !strings.Contains(other, "Sistemi informativi geografici") ||
		strings.Contains(other, "open data") || strings.Contains(other, "Capacità") || strings.Contains(other, "anna.bianchi@") {
		t.Errorf("public profile = %s", other)
	}
	if by := ask(b, "luca", "profilo anna.bianchi@comune.example.it").PlainText(); by != other {
		t.Errorf("by e-mail = %s", by)
	}
	// English keys work and switching language switches the reply at once.
	r = ask(b, "anna.bianchi", "profile language=en skills=")
	if !strings.Contains(r.Text, "Profile updated") || !strings.Contains(r.PlainText(), "Skills: —") {
		t.Fatalf("english reply = %q", r.PlainText())
	}
	if r := ask(b, "anna.bianchi", "nonsense"); !strings.Contains(r.Text, "I don't know the command") {
		t.Fatalf("after lingua=en the errors should be English: %q", r.Text)
	}
	// The form is offered with the current values, and submitting it updates the profile.
	f := ask(b, "anna.bianchi", "profilo modifica").Form
	if f == nil || f.Submit != "profile edit" || f.Fields[0].Value != "Anna Bianchi" || f.Fields[3].Value != "1" {
		t.Fatalf("form = %+v", f)
	}
	r = b.Handle(ctx, bot.Request{From: anna, Source: bot.SourceForm, Text: f.Submit,
		Values: map[string]string{"nome": "Anna B.", "competenze": "bilancio:2", "interessi": "", "capacita": "2", "lingua": "auto"}})
	if r.IsError || !strings.Contains(r.PlainText(), "Competenze: Bilancio (intermedio)") || !strings.Contains(r.PlainText(), "Interessi: —") {
		t.Fatalf("form submission reply = %q", r.PlainText())
	}
}

func TestRoleIsEnforcedPolitely(t *testing.T) {
	t.Parallel()
	b, store := newBot(t, "it")
	ran := 0
	b.Register(&bot.Command{Name: "segreto", Summary: "help.summary", Role: bot.RoleAdmin, Subs: []*bot.Sub{{Summary: "help.summary",
		Handler: func(context.Context, *bot.Call) (bot.Reply, error) { ran++; return bot.Reply{Text: "ok"}, nil }}}})
	r := ask(b, "luca", "segreto")
	if !r.IsError || !strings.Contains(r.Text, "riservato al ruolo amministratore") || ran != 0 {
		t.Fatalf("refusal = %q, ran = %d", r.Text, ran)
	}
	if strings.Contains(ask(b, "luca", "aiuto").PlainText(), "segreto") {
		t.Error("help lists a command the caller may not run")
	}
	e, _ := store.EnsureEmployee(context.Background(), bot.Identity{Transport: bot.TransportConsole, ExternalID: "luca"})
	if err := store.GrantRole(context.Background(), 0, e.ID, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if r := ask(b, "luca", "segreto"); r.Text != "ok" || ran != 1 {
		t.Fatalf("admin was refused: %q", r.Text)
	}
}

func TestPanicsAndInternalErrorsAreAnsweredWithARequestID(t *testing.T) {
	t.Parallel()
	b, _ := newBot(t, "en")
	b.Register(&bot.Command{Name: "boom", Summary: "help.summary", Subs: []*bot.Sub{{Summary: "help.summary",
		Handler: func(context.Context, *bot.Call) (bot.Reply, error) { panic("kaboom") }}}})
	r := b.Handle(context.Background(), bot.Request{ID: "req42", From: bot.Identity{Transport: bot.TransportConsole, ExternalID: "x"}, Text: "boom"})
	if !r.IsError || !strings.Contains(r.Text, "Something went wrong") || !strings.Contains(r.Text, "req42") || strings.Contains(r.Text, "kaboom") {
		t.Fatalf("panic reply = %q", r.Text)
	}
}

func TestUnavailableDatabaseGetsAPoliteReply(t *testing.T) {
	t.Parallel()
	pool, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	b := bot.New(bot.Config{Store: postgres.NewStore(pool)})
	r := b.Handle(context.Background(), bot.Request{From: bot.Identity{Transport: bot.TransportSlack, ExternalID: "U1", Locale: "en-GB"}, Text: "aiuto"})
	if r.Text != i18n.T("en", "error.unavailable") {
		t.Fatalf("reply = %q", r.Text)
	}
}

func TestOversizedInputIsRefused(t *testing.T) {
	t.Parallel()
	b, _ := newBot(t, "it")
	r := ask(b, "mario", "profilo nome="+strings.Repeat("a", 5000))
	if !r.IsError || !strings.Contains(r.Text, "troppo lungo") {
		t.Fatalf("reply = %q", r.Text)
	}
}
