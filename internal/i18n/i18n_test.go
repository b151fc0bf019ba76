package i18n

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

func TestCataloguesLoad(t *testing.T) {
	t.Parallel()
	if got := Locales(); !slices.Equal(got, []string{EN, IT}) {
		t.Fatalf("Locales() = %v, want [en it]", got)
	}
	for _, l := range Locales() {
		// The catalogues held about 590 messages each when they moved out of Go code; far fewer
		// means a file was not embedded or not read.
		if n := len(Keys(l)); n < 500 {
			t.Errorf("%s: only %d messages loaded", l, n)
		}
	}
	if _, err := load(localeFiles); err != nil {
		t.Fatalf("the embedded message files do not load: %v", err)
	}
}

// TestLoadRejects: a broken message file stops the program at start (mustLoad panics on these
// errors), instead of one message silently winning over another or a reply showing a key.
func TestLoadRejects(t *testing.T) {
	t.Parallel()
	good := `"a.b" = "A"` + "\n" + `"a.c" = { one = "{n} cosa", other = "{n} cose" }` + "\n"
	cases := map[string]fstest.MapFS{
		"key defined twice in two files": {
			"locales/it/one.toml": {Data: []byte(good)},
			"locales/it/two.toml": {Data: []byte(`"a.b" = "B"`)},
		},
		"key defined twice in one file": {
			"locales/it/one.toml": {Data: []byte(good + `"a.b" = "B"` + "\n")},
		},
		"key defined twice, once as a nested table": {
			"locales/it/one.toml": {Data: []byte(good + "[a]\nb = \"B\"\n")},
		},
		"malformed TOML": {
			"locales/it/one.toml": {Data: []byte(`"a.b" = "unterminated` + "\n")},
		},
		"a number instead of a text": {
			"locales/it/one.toml": {Data: []byte(`"a.b" = 3` + "\n")},
		},
		"a plural message without other": {
			"locales/it/one.toml": {Data: []byte(`"a.c" = { one = "{n} cosa" }` + "\n")},
		},
		"an empty message": {
			"locales/it/one.toml": {Data: []byte(`"a.b" = ""` + "\n")},
		},
		"a folder that is not a language": {
			"locales/it/one.toml":      {Data: []byte(good)},
			"locales/italian/one.toml": {Data: []byte(good)},
		},
		"no default language": {
			"locales/en/one.toml": {Data: []byte(good)},
		},
	}
	for name, fsys := range cases {
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	c, err := load(fstest.MapFS{
		"locales/it/one.toml":  {Data: []byte(good)},
		"locales/README.md":    {Data: []byte("notes for translators")},
		"locales/it/notes.txt": {Data: []byte("not a message file")},
	})
	if err != nil {
		t.Fatalf("a good file did not load: %v", err)
	}
	if len(c.messages[IT]) != 2 {
		t.Fatalf("loaded %v, want a.b and a.c", c.messages[IT])
	}
}

// TestCataloguesHaveTheSameKeys: every language has every key of the default one, in the file
// of the same name, so a translator finds it where the Italian one is.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	t.Parallel()
	for _, l := range Locales() {
		if l == Default {
			continue
		}
		for _, k := range Keys(Default) {
			if !Has(l, k) {
				t.Errorf("key %q is in %s but not in the %q catalogue", k, cat.files[Default][k], l)
			} else if a, b := path.Base(cat.files[Default][k]), path.Base(cat.files[l][k]); a != b {
				t.Errorf("key %q is in %s/%s but in %s/%s", k, Default, a, l, b)
			}
		}
		for _, k := range Keys(l) {
			if !Has(Default, k) {
				t.Errorf("key %q is in %s but not in the %q catalogue", k, cat.files[l][k], Default)
			}
		}
	}
}

// forms lists the plural forms a message has, by CLDR category.
func forms(m *goi18n.Message) map[string]string {
	out := map[string]string{}
	for cat, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
		if text != "" {
			out[cat] = text
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholders lists the placeholders a message uses in any of its forms (a "one" form may
// write the number out, "il prossimo giro", and so lack {n}).
func placeholders(m *goi18n.Message) map[string]bool {
	out := map[string]bool{}
	for _, text := range forms(m) {
		for _, p := range placeholder.FindAllString(text, -1) {
			out[p] = true
		}
	}
	return out
}

func TestPlaceholdersMatchAcrossLocales(t *testing.T) {
	t.Parallel()
	for _, l := range Locales() {
		for _, k := range Keys(Default) {
			if !Has(l, k) {
				continue // reported by TestCataloguesHaveTheSameKeys
			}
			want, got := placeholders(cat.messages[Default][k]), placeholders(cat.messages[l][k])
			for p := range want {
				if !got[p] {
					t.Errorf("key %q: %s lacks placeholder %s", k, l, p)
				}
			}
			for p := range got {
				if !want[p] {
					t.Errorf("key %q: %s lacks placeholder %s", k, Default, p)
				}
			}
		}
	}
}

// TestPluralFormsMatchAcrossLocales: Italian and English both tell whole numbers apart as
// "one" and "other" only, so a plural message has exactly those two forms in both. (A language
// with more categories, such as Polish, would need this test to ask its own CLDR rules.)
func TestPluralFormsMatchAcrossLocales(t *testing.T) {
	t.Parallel()
	for _, l := range Locales() {
		for _, k := range Keys(l) {
			m := cat.messages[l][k]
			if !isPlural(m) {
				if Has(Default, k) && isPlural(cat.messages[Default][k]) {
					t.Errorf("key %q has plural forms in %s but not in %s", k, Default, l)
				}
				continue
			}
			f := forms(m)
			if len(f) != 2 || f["one"] == "" || f["other"] == "" {
				t.Errorf("key %q in %s: plural forms %v, want exactly one and other", k, l, slices.Sorted(maps.Keys(f)))
			}
			if !strings.Contains(m.Other, "{"+CountArg+"}") {
				t.Errorf("key %q in %s: a plural message shows its count as {%s} in its other form: %q", k, l, CountArg, m.Other)
			}
		}
	}
}

func TestPluralSelection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		locale string
		n      any
		want   string
	}{
		{IT, 0, "in pausa per 0 giri"},
		{IT, 1, "in pausa per 1 giro"},
		{IT, 2, "in pausa per 2 giri"},
		{EN, 0, "paused for 0 rounds"},
		{EN, 1, "paused for 1 round"},
		{EN, 2, "paused for 2 rounds"},
		{IT, int64(1), "in pausa per 1 giro"},
		{IT, uint(1), "in pausa per 1 giro"},
		{IT, "1", "in pausa per 1 giro"},         // a count already formatted
		{IT, "1.234", "in pausa per 1.234 giri"}, // formatted the Italian way: not "one"
		{EN, "1,234", "paused for 1,234 rounds"}, // go-i18n cannot read it: "other"
		{EN, "many", "paused for many rounds"},
		{EN, 1.0, "paused for 1 rounds"}, // not a whole-number type: "other"
	}
	for _, c := range cases {
		if got := T(c.locale, "meet.state.paused", "n", c.n); got != c.want {
			t.Errorf("T(%s, meet.state.paused, n=%#v) = %q, want %q", c.locale, c.n, got, c.want)
		}
	}
	if got := T(IT, "meet.state.paused"); got != "in pausa per {n} giri" {
		t.Errorf("without a count T should give the other form, got %q", got)
	}
	if got := T(IT, "meet.paused", "name", "Caffè", "n", 1); got != "Fatto: salterai il prossimo giro di «Caffè», poi riprendi da solo." {
		t.Errorf("meet.paused n=1: %q", got)
	}
	if got := T(IT, "meet.paused", "name", "Caffè", "n", 3); got != "Fatto: salterai i prossimi 3 giri di «Caffè», poi riprendi da solo." {
		t.Errorf("meet.paused n=3: %q", got)
	}
}

// TestPluralRegressions: counts of 1 read as Italian and English, where the catalogues used to
// say "in pausa per 1 giri", "i prossimi 1 giri", "1 lasciate fuori".
func TestPluralRegressions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		locale, key string
		args        []any
		want        string
	}{
		{IT, "meet.state.paused", []any{"n", 1}, "in pausa per 1 giro"},
		{EN, "meet.state.paused", []any{"n", 1}, "paused for 1 round"},
		{IT, "meet.paused", []any{"n", 1, "name", "X"}, "Fatto: salterai il prossimo giro di «X», poi riprendi da solo."},
		{EN, "meet.paused", []any{"n", 1, "name", "X"}, "Done: you will skip the next round of “X”, then you are back automatically."},
		{IT, "meet.count.left_out", []any{"n", 1}, "1 persona lasciata fuori"},
		{EN, "meet.count.left_out", []any{"n", 1}, "1 person left out"},
		{IT, "meet.count.left_out", []any{"n", 2}, "2 persone lasciate fuori"},
		{IT, "meet.every_weeks", []any{"n", 1}, "ogni settimana"},
		{IT, "slack.truncated", []any{"n", 1}, "Risposta abbreviata: 1 parte non mostrata."},
		{IT, "team.notice.pending_item", []any{"name", "Ada", "n", 1}, "Ada, invitato da 1 giorno"},
		{EN, "team.notice.pending_item", []any{"name", "Ada", "n", 1}, "Ada, invited 1 day ago"},
		{IT, "projects.orphans_count", []any{"n", 1}, "1 obiettivo non è servito da alcun progetto:"},
		{IT, "meet.report.clean", []any{"n", 1}, "Tutti i gruppi uniscono dipartimenti diversi e nessuno si era incontrato nell'ultimo giro."},
	}
	for _, c := range cases {
		if got := T(c.locale, c.key, c.args...); got != c.want {
			t.Errorf("T(%s, %s, %v) = %q, want %q", c.locale, c.key, c.args, got, c.want)
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	if got := T(EN, "error.unknown_command", "command", "xyz"); !strings.Contains(got, "xyz") {
		t.Fatalf("T filled nothing: %q", got)
	}
	if got := T("fr", "error.unknown_command", "command", "xyz"); got != T(IT, "error.unknown_command", "command", "xyz") {
		t.Fatalf("unsupported locale should fall back to Italian, got %q", got)
	}
	if got := T(IT, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key should come back as itself, got %q", got)
	}
	if got := T(EN, "no.such.key", "n", 1); got != "no.such.key" {
		t.Fatalf("missing key should come back as itself, got %q", got)
	}
}

// TestValuesAreInsertedLiterally: what a user typed is never read as a placeholder or as
// template code, whatever it looks like.
func TestValuesAreInsertedLiterally(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`{{.PluralCount}}`, `{{printf "%d" 1}}`, `{command}`, `{n}`, `{{`, `}}`, `$1`, `%s`} {
		got := T(IT, "error.unknown_command", "command", v)
		if want := "Non conosco il comando «" + v + "»."; got != want {
			t.Errorf("value %q: got %q, want %q", v, got, want)
		}
		got = T(EN, "team.notice.pending_item", "name", v, "n", 2)
		if want := v + ", invited 2 days ago"; got != want {
			t.Errorf("value %q in a plural message: got %q, want %q", v, got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	cases := map[string]string{"en-US": EN, "it_IT": IT, "EN": EN, "english": EN, "fr-FR": "", "": "", "italiano": IT}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
