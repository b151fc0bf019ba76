package projectdesign

import (
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// TestCatalogueCoversQuestions checks that every dimension, question, hint and error message
// this package names has a text in both languages. i18n.T falls back to Italian, so the English
// side is also checked with i18n.Has: a fallback would hide a missing translation.
func TestCatalogueCoversQuestions(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, d := range Dimensions() {
		keys = append(keys, d.Key())
	}
	for _, q := range Questions() {
		keys = append(keys, q.Key, q.HintKey())
	}
	for _, r := range []string{ReasonUnknownQuestion, ReasonDuplicate, ReasonBadScore, ReasonTooLong} {
		keys = append(keys, (&AnswerError{Reason: r}).MessageKey())
	}
	for _, loc := range []string{i18n.IT, i18n.EN} {
		for _, k := range keys {
			if !i18n.Has(loc, k) {
				t.Errorf("%s: no text for %q", loc, k)
				continue
			}
			if got := i18n.T(loc, k); got == k || strings.TrimSpace(got) == "" {
				t.Errorf("%s: %q translates to %q", loc, k, got)
			}
		}
	}
	// Hints must say what both ends of the scale mean.
	for _, q := range Questions() {
		for _, loc := range []string{i18n.IT, i18n.EN} {
			h := i18n.T(loc, q.HintKey())
			if !strings.Contains(h, "1 =") || !strings.Contains(h, "5 =") {
				t.Errorf("%s: hint of %s does not explain 1 and 5: %q", loc, q.Code, h)
			}
		}
	}
	// The too_long message must be fillable with the limit.
	if got := i18n.T(i18n.EN, "robustness.error.too_long", "question", "org.staff", "max", MaxJustification); !strings.Contains(got, "500") || !strings.Contains(got, "org.staff") {
		t.Errorf("too_long message not filled: %q", got)
	}
}
