package bot

import (
	"reflect"
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
