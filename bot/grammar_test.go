package bot

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// grammarBot is a bot with every command registered (stores are not needed to parse).
func grammarBot() *Bot {
	return New(Config{Projects: projectStoreStub{}, Teams: teamStoreStub{}, Meetings: meetingStoreStub{}, Surveys: feedbackStoreStub{},
		Indices: indicesStoreStub{}})
}

type (
	projectStoreStub  struct{ ProjectStore }
	teamStoreStub     struct{ TeamStore }
	meetingStoreStub  struct{ MeetingStore }
	feedbackStoreStub struct{ FeedbackStore }
	indicesStoreStub  struct{ IndicesStore }
)

func parseText(t *testing.T, b *Bot, text, locale string) (*Command, Parsed, error) {
	t.Helper()
	args, err := ParseArgs(text)
	if err != nil {
		return nil, Parsed{}, err
	}
	cmd := b.Lookup(args.Positional[0])
	if cmd == nil {
		t.Fatalf("%q: no command", text)
	}
	args.Positional = args.Positional[1:]
	p, err := cmd.Parse(args, nil, locale)
	return cmd, p, err
}

// Every example of every form parses to that form, written in Italian and in English, whatever
// the reader's locale: the declaration is the parser.
func TestEveryExampleParsesInBothLanguages(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	if len(b.Commands()) < 11 {
		t.Fatalf("only %d commands registered", len(b.Commands()))
	}
	for _, cmd := range b.Commands() {
		for _, s := range cmd.Subs {
			if len(s.Examples) == 0 && !s.Hidden {
				t.Errorf("%s %s: no example", cmd.Name, s.Words.IT)
			}
			for _, ex := range s.Examples {
				for _, written := range []string{ex, b.Localize(ex, i18n.EN)} {
					for _, reader := range []string{i18n.IT, i18n.EN} {
						_, p, err := parseText(t, b, written, reader)
						if err != nil {
							t.Errorf("%q read in %s: %v", written, reader, err)
							continue
						}
						if p.Sub != s {
							t.Errorf("%q parsed as %q, want %q", written, p.Sub.Words.IT, s.Words.IT)
						}
					}
				}
				if en := b.Localize(ex, i18n.EN); b.Localize(en, i18n.IT) != ex {
					t.Errorf("%q → %q → %q: the translation does not come back", ex, en, b.Localize(en, i18n.IT))
				}
			}
		}
	}
}

// Every field of every form refuses being given twice, in one language or across both.
func TestEveryFieldGivenTwiceIsRefused(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	n := 0
	for _, cmd := range b.Commands() {
		for _, s := range cmd.Subs {
			for _, f := range s.Fields {
				head := cmd.Name
				if s.OnID {
					head += " 7"
				}
				if s.Words.IT != "" {
					head += " " + s.Words.IT
				}
				for _, a := range s.Args {
					if a.Required {
						head += " " + validValue(a)
					}
				}
				other := f.Name.EN
				if strings.EqualFold(other, f.Name.IT) && len(f.Name.Also) > 0 {
					other = f.Name.Also[0]
				}
				text := head + " " + f.Name.IT + "=" + validValue(f) + " " + other + "=" + validValue(f)
				_, _, err := parseText(t, b, text, i18n.IT)
				wantKey := "grammar.field_twice"
				if strings.EqualFold(other, f.Name.IT) {
					wantKey = "error.kv_duplicate" // the same key typed twice is refused by the tokenizer
				}
				if !errIs(err, wantKey) {
					t.Errorf("%q: error %v, want %s", text, err, wantKey)
				}
				n++
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d fields checked", n)
	}
}

// validValue is a value the parameter accepts.
func validValue(a Param) string {
	switch a.Kind {
	case KindChoice:
		return a.Values[0].IT
	case KindInt:
		return strconv.Itoa(a.Min)
	case KindID:
		return "3"
	case KindPerson:
		return "@anna"
	case KindBool:
		return "sì"
	case KindCommand:
		return "profilo"
	}
	return "x"
}

// An unknown field, sub-command or value gets the nearest known word, counting a transposition
// as one edit.
func TestUnknownWordsGetASuggestion(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	for _, tc := range []struct{ text, locale, key, want string }{
		{"profilo capactia=2", i18n.IT, "grammar.unknown_field_suggest", "capacita"},
		{"profile capactiy=2", i18n.EN, "grammar.unknown_field_suggest", "capacity"},
		{"incontri iscirvimi", i18n.IT, "grammar.unknown_sub_suggest", "iscrivimi"},
		{"meetings jion", i18n.EN, "grammar.unknown_sub_suggest", "join"},
		{"progetto 3 faes", i18n.IT, "grammar.unknown_sub_suggest", "fase"},
		{"progetti fase=progetazione", i18n.IT, "grammar.bad_choice_suggest", "progettazione"},
		{"projects phase=dseign", i18n.EN, "grammar.bad_choice_suggest", "design"},
		{"incontri nuovo nome=x formato=onilne", i18n.IT, "meet.bad_format", ""},
	} {
		_, _, err := parseText(t, b, tc.text, tc.locale)
		var e *Error
		if !errIsAs(err, &e) || e.Key != tc.key {
			t.Errorf("%q: %v, want %s", tc.text, err, tc.key)
			continue
		}
		if tc.want != "" && !slices.Contains(e.Args, any(tc.want)) {
			t.Errorf("%q: suggestion %v, want %q", tc.text, e.Args, tc.want)
		}
	}
	if sameWord("gsi", "gis") != 1 || sameWord("appalit", "appalti") != 1 || sameWord("xyz", "gis") >= 0 {
		t.Error("the distance must count a transposition as one edit and refuse far words")
	}
}

func errIsAs(err error, e **Error) bool {
	if err == nil {
		return false
	}
	x, ok := err.(*Error)
	*e = x
	return ok
}

// Commands shown to an English reader use English words, and the Italian ones run the same.
func TestLocalizeRewritesCommandsForTheReader(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	for in, want := range map[string]string{
		"incontri iscrivimi 1":                                  "meetings join 1",
		"incontri 4 round":                                      "meetings 4 run",
		"incontri giro 3 non-ancora":                            "meetings round 3 not-yet",
		`invito 12 rifiuta motivo="non posso, scusa"`:           `invitation 12 decline reason="non posso, scusa"`,
		"progetto 5 indicatori nuovo tipo=output direzione=giu": "project 5 indicators new kind=output direction=down",
		"progetti fase=realizzazione pagina=2":                  "projects phase=delivery page=2",
		"squadra 2 conferma canale=sì":                          "team 2 confirm channel=sì",
		"aiuto profilo":                                         "help profile",
		"admin ruolo @anna dirigente A01":                       "admin role @anna manager A01",
		"non è un comando":                                      "non è un comando",
	} {
		if got := b.Localize(in, i18n.EN); got != want {
			t.Errorf("Localize(%q) = %q, want %q", in, got, want)
		}
	}
}

// commandWordsIn lists the words an Italian reader types that an English reader would not:
// command, sub-command, field and value words whose English differs.
func italianOnlyWords(b *Bot) map[string]bool {
	out := map[string]bool{}
	add := func(w Words) {
		for part := range strings.FieldsSeq(w.IT) {
			if w.EN != "" && !strings.Contains(" "+w.EN+" ", " "+part+" ") && len(part) > 2 {
				out[part] = true
			}
		}
	}
	for _, cmd := range b.Commands() {
		add(Words{IT: cmd.Name, EN: cmd.EN})
		for _, s := range cmd.Subs {
			add(s.Words)
			for _, p := range append(append([]Param(nil), s.Args...), s.Fields...) {
				if p.Kind == KindChoice {
					for _, v := range p.Values {
						add(v)
					}
				}
			}
			for _, f := range s.Fields {
				add(Words{IT: f.Name.IT + "=", EN: f.Name.EN + "="})
			}
		}
	}
	// Words that are English too (an Italian word of one form may be the English of another).
	for _, cmd := range b.Commands() {
		delete(out, cmd.EN)
		for _, s := range cmd.Subs {
			delete(out, s.Words.EN)
			for _, p := range append(append([]Param(nil), s.Args...), s.Fields...) {
				for _, v := range p.Values {
					delete(out, v.EN)
				}
			}
		}
	}
	return out
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// The English help of every command, and every English message that quotes a command, uses
// English command words only.
func TestEnglishHelpAndMessagesQuoteEnglishCommands(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	italian := italianOnlyWords(b)
	admin := &Call{Locale: i18n.EN, Caller: Employee{Roles: []Role{RoleAdmin}}}
	check := func(where, text string) {
		for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
			for _, w := range strings.Fields(m[1]) {
				key, _, isKV := strings.Cut(w, "=")
				if italian[strings.ToLower(w)] || (isKV && italian[strings.ToLower(key)+"="]) {
					t.Errorf("%s quotes the Italian word %q in `%s`", where, w, m[1])
				}
			}
		}
	}
	for _, cmd := range b.Commands() {
		r := b.localizeReply(b.commandHelp(admin, cmd), i18n.EN)
		check("help "+cmd.EN, r.PlainText())
		for _, ch := range r.Choices {
			check("help "+cmd.EN+" button", "`"+ch.Command+"`")
		}
	}
	for _, key := range i18n.Keys(i18n.EN) {
		msg := i18n.T(i18n.EN, key)
		for _, m := range codeSpan.FindAllStringSubmatch(msg, -1) {
			if first := strings.Fields(m[1]); len(first) > 0 && b.Lookup(first[0]) != nil {
				check("en:"+key, "`"+m[1]+"`")
			}
		}
	}
}

// The forms are generated from the declared fields: the modal and the console's prompts ask for
// exactly the fields the typed command accepts, with the declared limits.
func TestFormsComeFromTheDeclaredFields(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	c := &Call{Locale: i18n.IT, Caller: Employee{Roles: []Role{RoleAdmin}}}
	for _, tc := range []struct {
		name string
		form *Form
		sub  *Sub
	}{
		{"profile", profileFormReply(c, nil).Form, b.Lookup("profilo").findSub("modifica", false)},
		{"project", projectFormReply(c, nil).Form, b.Lookup("progetto").findSub("nuovo", false)},
		{"project edit", projectFormReply(c, &Project{ID: 3}).Form, b.Lookup("progetto").findSub("modifica", true)},
		{"programme", programmeForm(c).Form, b.Lookup("incontri").findSub("nuovo", false)},
		{"indicator", indicatorFormReply(c, Project{ID: 3}).Form, b.Lookup("progetto").findSub("indicatori nuovo", true)},
		{"robustness", robustnessFormReply(c, Project{ID: 3}).Form, b.Lookup("progetto").findSub("robustezza", true)},
		{"decline", declineForm(c, 3).Form, b.Lookup("invito").findSub("rifiuta", true)},
	} {
		if tc.form == nil || tc.sub == nil {
			t.Fatalf("%s: no form or no declaration", tc.name)
		}
		if len(tc.form.Fields) != len(tc.sub.Fields) {
			t.Fatalf("%s: form has %d fields, the command %d", tc.name, len(tc.form.Fields), len(tc.sub.Fields))
		}
		for i, f := range tc.form.Fields {
			d := tc.sub.Fields[i]
			if f.Name != d.Name.IT || f.MaxLength != d.MaxLen || (d.Required && !f.Required) {
				t.Errorf("%s: field %d is %+v, declared %+v", tc.name, i, f, d)
			}
		}
		// The form's submission runs the form the fields were declared on.
		args, err := ParseArgs(tc.form.Submit)
		if err != nil {
			t.Fatal(err)
		}
		cmd := b.Lookup(args.Positional[0])
		args.Positional = args.Positional[1:]
		values := map[string]string{}
		for _, f := range tc.form.Fields {
			values[f.Name] = ""
		}
		if p, err := cmd.Parse(args, values, i18n.IT); err != nil || p.Sub != tc.sub {
			t.Errorf("%s: submission %q parses to %v, %v", tc.name, tc.form.Submit, p.Sub, err)
		}
	}
}

// A sub-command with AnyField takes keys known only when it runs (a survey's questions): kept
// as given, a form's value replacing the typed one, a key typed twice refused; the help shows
// the placeholder, and SuggestKey finds the key meant.
func TestAnyFieldKeepsKeysForTheHandler(t *testing.T) {
	t.Parallel()
	b := grammarBot()
	args, err := ParseArgs(`valuta 12 utilita=4 idea=" un'idea " altro-ufficio=sì`)
	if err != nil {
		t.Fatal(err)
	}
	cmd := b.Lookup(args.Positional[0])
	args.Positional = args.Positional[1:]
	p, err := cmd.Parse(args, map[string]string{"Utilita": "5", "nuovo-contatto": "no"}, i18n.IT)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"utilita": "5", "idea": "un'idea", "altro-ufficio": "sì", "nuovo-contatto": "no"}
	if p.ID != 12 || p.Sub.AnyField == nil || len(p.Named) != len(want) {
		t.Fatalf("parsed %+v", p)
	}
	for k, v := range want {
		if p.Named[k] != v {
			t.Errorf("%s = %q, want %q", k, p.Named[k], v)
		}
	}
	if _, _, err := parseText(t, b, "valuta 12 utilita=4 utilita=5", i18n.IT); !errIs(err, "error.kv_duplicate") {
		t.Errorf("a key typed twice: %v", err)
	}
	if u := SubUsage(cmd, p.Sub, i18n.EN); u != "feedback ID [question=…]…" {
		t.Errorf("usage %q", u)
	}
	if s := SuggestKey("utilta", []string{"idea", "utilita", "altro-ufficio"}); s != "utilita" {
		t.Errorf("suggestion %q", s)
	}
	if s := SuggestKey("zzz", []string{"idea", "utilita"}); s != "" {
		t.Errorf("suggestion for zzz %q", s)
	}
}
