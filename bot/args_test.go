package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	a, err := ParseArgs(`profilo modifica nome="Maria Rossi" unita=“Servizio dell'Ambiente” competenze=gis,appalti "a=b"`)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Positional, []string{"profilo", "modifica", "a=b"}) {
		t.Errorf("positional = %q", a.Positional)
	}
	want := map[string]string{"nome": "Maria Rossi", "unita": "Servizio dell'Ambiente", "competenze": "gis,appalti"}
	if !reflect.DeepEqual(a.Named, want) {
		t.Errorf("named = %q", a.Named)
	}
	if !reflect.DeepEqual(a.Keys(), []string{"nome", "unita", "competenze"}) {
		t.Errorf("order = %q", a.Keys())
	}
	for _, bad := range []string{`x="open`, `=v`, `a=1 A=2`, `k!=v`} {
		if _, err := ParseArgs(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseArgs(%q) error = %v, want EINVALID", bad, err)
		}
	}
}

func TestEditDistanceAndSuggest(t *testing.T) {
	t.Parallel()
	if d := sameWord("gsi", "gis"); d != 1 {
		t.Errorf("a transposition is one edit, got %d", d)
	}
	b := New(Config{})
	for in, want := range map[string]string{"profilio": "profilo", "aiut": "aiuto", "hlep": "help", "xyzzy": ""} {
		if got := b.suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoleAllows(t *testing.T) {
	t.Parallel()
	if !RoleAllows(nil, RoleEmployee) || RoleAllows(nil, RoleCoordinator) ||
		!RoleAllows([]Role{RoleManager}, RoleCoordinator) || RoleAllows([]Role{RoleManager}, RoleAdmin) {
		t.Fatal("role ranking is wrong")
	}
}

// TestParseArgsRefusesControlCharacters: a NUL or another control character (other than the
// line breaks and tabs that pasted text carries) is refused by the parser with its own reply,
// wherever it is; bytes that are not UTF-8 too.
func TestParseArgsRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, key string
	}{
		{"profilo nome=\"nul\x00byte\"", "error.control_char"},
		{"progetto nuovo titolo=\"nul\x00byte\"", "error.control_char"},
		{"\x00", "error.control_char"},
		{"aiuto\x1b[2J", "error.control_char"},
		{"profilo nome=a\u0085b", "error.control_char"},
		{"profilo nome=\"a\xffb\"", "error.bad_encoding"},
		{"profilo nome=\"tab\tok\"", ""},
		{"profilo nome=\"riga\r\nok\"", ""},
		{"profilo nome=\"sostituto \uFFFD ok\"", ""},
	} {
		_, err := ParseArgs(tc.text)
		var e *Error
		switch {
		case tc.key == "" && err != nil:
			t.Errorf("ParseArgs(%q) = %v, want no error", tc.text, err)
		case tc.key != "" && (!errors.As(err, &e) || e.Key != tc.key):
			t.Errorf("ParseArgs(%q) = %v, want %s", tc.text, err, tc.key)
		}
	}
}

// TestCommandLengthCountsCharacters: the limit is 4,000 characters, not bytes.
func TestCommandLengthCountsCharacters(t *testing.T) {
	t.Parallel()
	cjk := "profilo interessi=" + strings.Repeat("漢", 1460) // 4,398 bytes, 1,478 characters
	if _, err := ParseArgs(cjk); err != nil {
		t.Errorf("1,478 characters refused: %v", err)
	}
	if _, err := ParseArgs(strings.Repeat("漢", maxCommandLength)); err != nil {
		t.Errorf("exactly %d characters refused: %v", maxCommandLength, err)
	}
	if _, err := ParseArgs(strings.Repeat("漢", maxCommandLength+1)); ErrorCode(err) != EINVALID {
		t.Errorf("%d characters accepted", maxCommandLength+1)
	}
}
