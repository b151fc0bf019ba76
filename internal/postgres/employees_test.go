package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

func TestEnsureEmployeeCreatesOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	id := bot.Identity{Transport: bot.TransportConsole, ExternalID: "mario", DisplayName: "mario"}

	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := s.EnsureEmployee(ctx, id)
			if err != nil {
				t.Errorf("EnsureEmployee: %v", err)
				return
			}
			ids[i] = e.ID
		}()
	}
	wg.Wait()
	for _, got := range ids {
		if got != ids[0] {
			t.Fatalf("concurrent first contacts made different rows: %v", ids)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM employees`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("employees rows = %d, want 1", n)
	}
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	if _, err := pool.Exec(ctx, `INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS'), ('appalti', 'Appalti', 'Procurement')`); err != nil {
		t.Fatal(err)
	}
	e, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U1", DisplayName: "Anna"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Active || e.DisplayName != "Anna" || len(e.Skills) != 0 || e.Locale != "" || e.Capacity != 2 || e.SlackUserID != "U1" {
		t.Fatalf("new employee = %+v", e)
	}
	skills, interests, capacity, en := []bot.SkillInput{{Code: "gis", Level: 3}, {Code: "appalti", Level: 1}}, []string{"open data"}, 1, "en"
	e, err = s.UpdateProfile(ctx, e.ID, bot.ProfileUpdate{Skills: &skills, Interests: &interests, Capacity: &capacity, Locale: &en})
	if err != nil {
		t.Fatal(err)
	}
	if e.DisplayName != "Anna" || len(e.Skills) != 2 || e.Skills[0].Code != "gis" || e.Skills[0].Level != 3 ||
		e.Capacity != 1 || e.Interests[0] != "open data" || e.Locale != "en" {
		t.Fatalf("after update = %+v", e)
	}
	// An unknown skill (say, removed from the catalogue meanwhile) writes nothing at all.
	bad, name := []bot.SkillInput{{Code: "gis", Level: 1}, {Code: "astrologia", Level: 2}}, "Anna Bianchi"
	// It is a storage outcome (not found), naming the missing code.
	_, err = s.UpdateProfile(ctx, e.ID, bot.ProfileUpdate{DisplayName: &name, Skills: &bad})
	var ue *bot.Error
	if !errors.As(err, &ue) || ue.Code != bot.ENOTFOUND || ue.Key != "profile.unknown_skill" || len(ue.Args) != 2 || ue.Args[1] != "astrologia" {
		t.Fatalf("unknown skill: err = %v", err)
	}
	if e, _ = s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U1"}); e.DisplayName != "Anna" || len(e.Skills) != 2 {
		t.Fatalf("a refused update was half-written: %+v", e)
	}
	auto := ""
	if e, err = s.UpdateProfile(ctx, e.ID, bot.ProfileUpdate{Locale: &auto}); err != nil || e.Locale != "" || e.Capacity != 1 {
		t.Fatalf("locale reset: %+v %v", e, err)
	}
	if _, err := s.UpdateProfile(ctx, 999999, bot.ProfileUpdate{Capacity: &capacity}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("update of a missing employee: err = %v, want ErrNotFound", err)
	}
}

func TestDepartmentAndSiteResolvedInTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	s := postgres.NewStore(pool)
	_, err := pool.Exec(ctx, `
		INSERT INTO sites (code, name) VALUES ('S1', 'Sede Uno');
		INSERT INTO org_units (code, name, type_label, site_id) SELECT 'A', 'Area A', 'Area', id FROM sites;
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A-S', 'Settore S', 'Settore', id FROM org_units WHERE code = 'A';
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A-S-V', 'Servizio V', 'Servizio', id FROM org_units WHERE code = 'A-S';
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A-S-V-U', 'Ufficio U', 'Ufficio', id FROM org_units WHERE code = 'A-S-V';
		INSERT INTO employees (display_name, email, unit_id) SELECT 'e-' || code, lower(code) || '@x.it', id FROM org_units;`)
	if err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]string{"a-s-v-u@x.it": "A-S", "a-s-v@x.it": "A-S", "a-s@x.it": "A-S", "a@x.it": ""} {
		e, err := s.FindEmployee(ctx, bot.EmployeeRef{Email: email})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if e.Department != nil {
			got = e.Department.Code
		}
		if got != want || e.Site == nil || e.Site.Code != "S1" {
			t.Errorf("%s: department %q (want %q), site %+v", email, got, want, e.Site)
		}
	}
	// With the Area as the department level.
	byArea := postgres.NewStore(pool, postgres.WithDepartmentType("Area"))
	if e, _ := byArea.FindEmployee(ctx, bot.EmployeeRef{Email: "A-S-V-U@X.IT"}); e.Department == nil || e.Department.Code != "A" {
		t.Errorf("with Area as the level: %+v", e.Department)
	}
}

func TestConstraintsLiveInTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	setup := `INSERT INTO org_units (code, name, type_label) VALUES ('A', 'A', 'Area');
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'B', 'B', 'Settore', id FROM org_units WHERE code = 'A';
		INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS');
		INSERT INTO employees (display_name, email) VALUES ('X', 'x@x.it');`
	if _, err := pool.Exec(ctx, setup); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		`INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'teams', 'x', id FROM employees`,
		`INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', '', id FROM employees`,
		`INSERT INTO employees (display_name, locale) VALUES ('Y', 'fr')`,
		`INSERT INTO employees (display_name, capacity) VALUES ('Y', -1)`,
		`INSERT INTO employees (display_name, email) VALUES ('Y', 'X@X.IT')`,
		`INSERT INTO employees (display_name, email) VALUES ('Y', 'not-an-email')`,
		`INSERT INTO employee_roles (employee_id, role) VALUES (424242, 'admin')`,
		`INSERT INTO employee_roles (employee_id, role) SELECT id, 'capo' FROM employees`,
		`INSERT INTO employee_skills (employee_id, skill_id, level) SELECT e.id, s.id, 4 FROM employees e, skills s`,
		`INSERT INTO employee_skills (employee_id, skill_id, level) SELECT e.id, s.id, 0 FROM employees e, skills s`,
		`INSERT INTO org_units (code, name, type_label) VALUES ('A', 'dup', 'Area')`,
		`INSERT INTO skills (code, name_it, name_en) VALUES ('GIS maiuscolo', 'x', 'x')`,
		`INSERT INTO org_units (code, name, type_label, parent_id) VALUES ('C', 'C', 'Servizio', 999)`,
		// A cycle: A under its own child B.
		`UPDATE org_units SET parent_id = (SELECT id FROM org_units WHERE code = 'B') WHERE code = 'A'`,
	}
	for _, q := range bad {
		if _, err := pool.Exec(ctx, q); err == nil {
			t.Errorf("the database accepted %s", q)
		}
	}
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t) // already migrated once by the template
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := postgres.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		}()
	}
	wg.Wait()
}

func TestUnavailableDatabaseIsReportedAsSuch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Nothing listens on port 1: the store must say "unavailable", not "internal error".
	pool, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, err = postgres.NewStore(pool).EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: "x"})
	if bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("ErrorCode(%v) = %q, want unavailable", err, bot.ErrorCode(err))
	}
	if err := postgres.Ping(ctx, pool); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("Ping: %v", err)
	}
}
