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
	s := postgres.NewStore(pgtest.NewPool(t))
	e, err := s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U1", DisplayName: "Anna"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Active || e.DisplayName != "Anna" || len(e.Skills) != 0 || e.Locale != "" {
		t.Fatalf("new employee = %+v", e)
	}
	unit, skills, en := "Servizio Urbanistica", []string{"gis", "appalti"}, "en"
	e, err = s.UpdateProfile(ctx, e.ID, bot.ProfileUpdate{Unit: &unit, Skills: &skills, Locale: &en})
	if err != nil {
		t.Fatal(err)
	}
	if e.DisplayName != "Anna" || e.Unit != unit || len(e.Skills) != 2 || e.Skills[1] != "appalti" || e.Locale != "en" {
		t.Fatalf("after update = %+v", e)
	}
	auto := ""
	e, err = s.UpdateProfile(ctx, e.ID, bot.ProfileUpdate{Locale: &auto})
	if err != nil {
		t.Fatal(err)
	}
	if e.Locale != "" || e.Unit != unit {
		t.Fatalf("locale reset changed too much or too little: %+v", e)
	}
	if err := s.GrantRole(ctx, e.ID, bot.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	e, _ = s.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U1"})
	if len(e.Roles) != 1 || e.Roles[0] != bot.RoleAdmin {
		t.Fatalf("roles = %v", e.Roles)
	}
	if _, err := s.UpdateProfile(ctx, 999999, bot.ProfileUpdate{Unit: &unit}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("update of a missing employee: err = %v, want ErrNotFound", err)
	}
}

func TestConstraintsLiveInTheDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	bad := []string{
		`INSERT INTO employees (transport, external_id) VALUES ('teams', 'x')`,
		`INSERT INTO employees (transport, external_id) VALUES ('slack', '')`,
		`INSERT INTO employees (transport, external_id, locale) VALUES ('slack', 'U2', 'fr')`,
		`INSERT INTO employee_roles (employee_id, role) VALUES (424242, 'admin')`,
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
