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

// TestImportedProfileIsSaveableUnchanged: the CSV import and the profile command apply the same
// limits, so a profile imported with every skill of a 54-skill catalogue (the demo council's)
// and the highest capacity can be saved back unchanged, typed or through the form.
func TestImportedProfileIsSaveableUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.NewPool(t))
	b := bot.New(bot.Config{Store: store, DefaultLocale: "it"})
	seedOrg(t, store) // three skills
	if _, err := store.Pool().Exec(ctx, `INSERT INTO skills (code, name_it, name_en)
		SELECT 'competenza-' || n, 'Competenza ' || n, 'Skill ' || n FROM generate_series(1, 51) AS n`); err != nil {
		t.Fatal(err)
	}
	catalogue, err := store.Skills(ctx)
	if err != nil || len(catalogue) != 54 {
		t.Fatalf("catalogue: %d skills, %v", len(catalogue), err)
	}
	var all []string
	for i, s := range catalogue {
		all = append(all, fmt.Sprintf("%s:%d", s.Code, 1+i%3))
	}
	csv := fmt.Sprintf("email,name,skills,capacity\nanna.bianchi@comune.example.it,Anna Bianchi,%s,%d\n",
		strings.Join(all, ";"), bot.MaxCapacity)
	res, err := postgres.NewImporter(store.Pool()).Import(ctx, bot.ImportEmployees, strings.NewReader(csv), nil)
	if err != nil || len(res.Errors) > 0 || res.Updated != 1 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	held := func() []bot.SkillLevel {
		t.Helper()
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "anna.bianchi"})
		if err != nil {
			t.Fatal(err)
		}
		return e.Skills
	}
	imported := held()
	if len(imported) != 54 {
		t.Fatalf("imported %d skills, want 54", len(imported))
	}

	// Typed: the same skills and capacity back.
	r := ask(b, "anna.bianchi", fmt.Sprintf("profilo competenze=%q capacita=%d", strings.Join(all, ","), bot.MaxCapacity))
	if r.IsError {
		t.Fatalf("saving the imported profile unchanged: %s", r.Text)
	}
	if got := held(); fmt.Sprint(got) != fmt.Sprint(imported) {
		t.Fatalf("skills changed:\n got %v\nwant %v", got, imported)
	}

	// Through the form: its skills box holds the whole list, so submitting it as shown (a
	// box too short would cut it, and the save would drop skills) changes nothing.
	form := ask(b, "anna.bianchi", "profilo modifica").Form
	if form == nil {
		t.Fatal("profilo modifica: no form")
	}
	values := map[string]string{}
	for _, f := range form.Fields {
		if f.MaxLength > 0 && len([]rune(f.Value)) > f.MaxLength {
			t.Errorf("field %s: value of %d characters in a box of %d", f.Name, len([]rune(f.Value)), f.MaxLength)
		}
		values[f.Name] = f.Value
	}
	if r := askValues(b, "anna.bianchi", form.Submit, values); r.IsError {
		t.Fatalf("submitting the form unchanged: %s", r.Text)
	}
	if got := held(); fmt.Sprint(got) != fmt.Sprint(imported) {
		t.Fatalf("skills changed by the form:\n got %v\nwant %v", got, imported)
	}
}
