package i18n

import (
	"regexp"
	"testing"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	t.Parallel()
	for _, k := range Keys(IT) {
		if !Has(EN, k) {
			t.Errorf("key %q is in the Italian catalogue but not in the English one", k)
		}
	}
	for _, k := range Keys(EN) {
		if !Has(IT, k) {
			t.Errorf("key %q is in the English catalogue but not in the Italian one", k)
		}
	}
}

func TestPlaceholdersMatchAcrossLocales(t *testing.T) {
	t.Parallel()
	ph := regexp.MustCompile(`\{[a-z_]+\}`)
	for _, k := range Keys(IT) {
		want := map[string]bool{}
		for _, p := range ph.FindAllString(it[k], -1) {
			want[p] = true
		}
		got := map[string]bool{}
		for _, p := range ph.FindAllString(en[k], -1) {
			got[p] = true
		}
		for p := range want {
			if !got[p] {
				t.Errorf("key %q: English lacks placeholder %s", k, p)
			}
		}
		for p := range got {
			if !want[p] {
				t.Errorf("key %q: Italian lacks placeholder %s", k, p)
			}
		}
	}
}

func TestT(t *testing.T) {
	t.Parallel()
	if got := T(EN, "error.unknown_command", "command", "xyz"); got == "error.unknown_command" || !regexp.MustCompile(`xyz`).MatchString(got) {
		t.Fatalf("T filled nothing: %q", got)
	}
	if got := T("fr", "error.unknown_command", "command", "xyz"); got != T(IT, "error.unknown_command", "command", "xyz") {
		t.Fatalf("unsupported locale should fall back to Italian, got %q", got)
	}
	if got := T(IT, "no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key should come back as itself, got %q", got)
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
