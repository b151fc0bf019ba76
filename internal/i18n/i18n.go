// Package i18n holds the message catalogues (Italian, the default, and English) and the tiny
// template language they use: "{name}" placeholders filled from name/value argument pairs.
// No user-facing string lives in handler code; handlers ask for a key here.
package i18n

import (
	"fmt"
	"sort"
	"strings"
)

// Supported locales.
const (
	IT = "it"
	EN = "en"
)

// Default is the locale used when nothing else says which.
const Default = IT

var catalogues = map[string]map[string]string{IT: it, EN: en}

// Supported reports whether locale (already normalised) has a catalogue.
func Supported(locale string) bool {
	_, ok := catalogues[locale]
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
// pairs. A key missing from locale falls back to the default catalogue, and a key missing
// everywhere is returned as it is, so that a gap shows up in the reply and in tests rather
// than as an empty message.
func T(locale, key string, args ...any) string {
	msg, ok := catalogues[locale][key]
	if !ok {
		msg, ok = catalogues[Default][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// Has reports whether locale's catalogue defines key.
func Has(locale, key string) bool {
	_, ok := catalogues[locale][key]
	return ok
}

// Keys lists the keys of locale's catalogue, sorted.
func Keys(locale string) []string {
	keys := make([]string, 0, len(catalogues[locale]))
	for k := range catalogues[locale] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Locales lists the supported locales, sorted.
func Locales() []string {
	out := make([]string, 0, len(catalogues))
	for l := range catalogues {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// merge adds part to a catalogue. Catalogues are split by capability so that each stays
// readable; a key defined twice is a programming error, caught at start.
func merge(into, part map[string]string) {
	for k, v := range part {
		if _, dup := into[k]; dup {
			panic("i18n: key defined twice: " + k)
		}
		into[k] = v
	}
}
