// Package i18n holds the message catalogues (Italian, the default, and English) and the tiny
// template language they use: "{name}" placeholders filled from name/value argument pairs.
// No user-facing string lives in handler code; handlers ask for a key here.
//
// The messages themselves live in message files a translator can edit, one folder per
// language and one TOML file per capability (locales/it/meetings.toml, locales/en/meetings.toml,
// …), embedded in the binary and loaded with go-i18n at start. A message whose wording
// depends on a number has CLDR plural forms ("one", "other"); its count is the argument
// named "n". locales/README.md tells translators how to write both.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// Supported locales.
const (
	IT = "it"
	EN = "en"
)

// Default is the locale used when nothing else says which.
const Default = IT

// CountArg is the argument that chooses the plural form of a message that has one.
const CountArg = "n"

//go:embed locales
var localeFiles embed.FS

// cat is loaded once, before any caller can translate; a broken message file stops the
// program at start rather than showing a user a half-translated reply.
var cat = mustLoad(localeFiles)

// catalogues is every loaded language: the go-i18n bundle that knows the plural rules, one
// localizer per language, and the messages by key (for Has and Keys, and to tell plural
// messages from plain ones).
type catalogues struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	messages   map[string]map[string]*goi18n.Message
	files      map[string]map[string]string // locale → key → file that defines it
}

func mustLoad(fsys fs.FS) *catalogues {
	c, err := load(fsys)
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return c
}

// load reads locales/<language>/*.toml from fsys. A malformed file, a message without an
// "other" form and a key defined twice (in one file or in two files of one language) are
// errors: go-i18n itself would let the last file silently win.
func load(fsys fs.FS) (*catalogues, error) {
	c := &catalogues{
		bundle:     goi18n.NewBundle(language.MustParse(Default)),
		localizers: map[string]*goi18n.Localizer{},
		messages:   map[string]map[string]*goi18n.Message{},
		files:      map[string]map[string]string{},
	}
	dirs, err := fs.ReadDir(fsys, "locales")
	if err != nil {
		return nil, fmt.Errorf("read locales: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue // locales/README.md
		}
		locale := d.Name()
		tag, err := language.Parse(locale)
		if err != nil || tag.String() != locale {
			return nil, fmt.Errorf("locales/%s: the folder must be named after a language (it, en, …)", locale)
		}
		files, err := fs.Glob(fsys, path.Join("locales", locale, "*.toml"))
		if err != nil {
			return nil, fmt.Errorf("list locales/%s: %w", locale, err)
		}
		c.messages[locale] = map[string]*goi18n.Message{}
		c.files[locale] = map[string]string{}
		for _, file := range files {
			if err := c.loadFile(fsys, tag, locale, file); err != nil {
				return nil, err
			}
		}
		c.localizers[locale] = goi18n.NewLocalizer(c.bundle, locale)
	}
	if len(c.messages[Default]) == 0 {
		return nil, fmt.Errorf("no messages for the default language %q", Default)
	}
	return c, nil
}

func (c *catalogues) loadFile(fsys fs.FS, tag language.Tag, locale, file string) error {
	buf, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	// The TOML decoder refuses a key written twice in one file; the loop below catches one
	// written in two files.
	msgs, err := goi18n.ParseMessageBytes(buf, toml.Unmarshal)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for _, m := range msgs {
		if prev, dup := c.files[locale][m.ID]; dup {
			return fmt.Errorf("%s: key %q defined twice (also in %s)", file, m.ID, prev)
		}
		if m.Other == "" {
			return fmt.Errorf("%s: key %q has no text (a plural message needs at least \"other\")", file, m.ID)
		}
		c.files[locale][m.ID] = file
		c.messages[locale][m.ID] = m
	}
	if err := c.bundle.AddMessages(tag, msgs...); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// Supported reports whether locale (already normalised) has a catalogue.
func Supported(locale string) bool {
	_, ok := cat.messages[locale]
	return ok
}

// Normalize maps a locale as Slack or a user writes it ("en-US", "it_IT", "EN", "english")
// onto a supported catalogue, or "" when it names none.
func Normalize(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	switch s {
	case "italiano", "italian":
		return IT
	case "english", "inglese":
		return EN
	}
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	if Supported(s) {
		return s
	}
	return ""
}

// T translates key into locale, filling "{name}" placeholders from args given as name/value
// pairs. When the message has plural forms, the argument named "n" picks one by the
// language's CLDR rules (missing or not a whole number: "other"). A key missing from locale
// falls back to the default catalogue, and a key missing everywhere is returned as it is, so
// that a gap shows up in the reply and in tests rather than as an empty message.
func T(locale, key string, args ...any) string {
	m, ok := cat.messages[locale][key]
	if !ok {
		locale = Default
		m, ok = cat.messages[Default][key]
	}
	if !ok {
		return key
	}
	lc := &goi18n.LocalizeConfig{MessageID: key, TemplateParser: braces{}}
	if len(args) >= 2 {
		pairs := make([]string, 0, len(args))
		for i := 0; i+1 < len(args); i += 2 {
			pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
		}
		lc.TemplateData = strings.NewReplacer(pairs...)
	}
	if isPlural(m) {
		lc.PluralCount = count(args)
	}
	out, err := cat.localizers[locale].Localize(lc)
	if err != nil && lc.PluralCount != nil {
		// A count go-i18n cannot read ("1,5", "tanti"): say it with the general form.
		lc.PluralCount = nil
		out, err = cat.localizers[locale].Localize(lc)
	}
	if err != nil {
		return m.Other
	}
	return out
}

// isPlural reports whether m has any form but "other".
func isPlural(m *goi18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

// count returns the value of the "n" argument in a form go-i18n's plural rules accept (an
// int64 or a numeric string such as an already formatted "1.234"), or nil.
func count(args []any) any {
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] != CountArg {
			continue
		}
		switch v := args[i+1].(type) {
		case int:
			return int64(v)
		case int8:
			return int64(v)
		case int16:
			return int64(v)
		case int32:
			return int64(v)
		case int64:
			return v
		case uint:
			return fmt.Sprint(v)
		case uint8:
			return int64(v)
		case uint16:
			return int64(v)
		case uint32:
			return int64(v)
		case uint64:
			return fmt.Sprint(v)
		case string:
			return v
		default:
			return nil
		}
	}
	return nil
}

// braces is the template language of the catalogues: "{name}" replaced by the value given
// for name, in one pass, so that a value is inserted literally and never read as a
// placeholder or as template code. A placeholder without a value is left as it is.
type braces struct{}

func (braces) Cacheable() bool { return true }

func (braces) Parse(src, _, _ string) (template.ParsedTemplate, error) {
	return bracesTemplate(src), nil
}

type bracesTemplate string

func (t bracesTemplate) Execute(data any) (string, error) {
	if r, ok := data.(*strings.Replacer); ok {
		return r.Replace(string(t)), nil
	}
	return string(t), nil
}

// Has reports whether locale's catalogue defines key.
func Has(locale, key string) bool {
	_, ok := cat.messages[locale][key]
	return ok
}

// Keys lists the keys of locale's catalogue, sorted.
func Keys(locale string) []string {
	keys := make([]string, 0, len(cat.messages[locale]))
	for k := range cat.messages[locale] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Locales lists the supported locales, sorted.
func Locales() []string {
	out := make([]string, 0, len(cat.messages))
	for l := range cat.messages {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}
