package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/migrations"
)

func newRoleStore(t *testing.T) (*postgres.Store, *pgxpool.Pool, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, `
		INSERT INTO org_units (code, name, type_label) VALUES ('A01', 'Area', 'Area'), ('A02', 'Area due', 'Area');
		INSERT INTO employees (display_name, email) VALUES ('Mario', 'mario@example.it'), ('Anna', 'anna@example.it'), ('Bea', 'bea@example.it');`); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	rows, err := pool.Query(ctx, `SELECT display_name, id FROM employees`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var (
			n  string
			id int64
		)
		if err := rows.Scan(&n, &id); err != nil {
			t.Fatal(err)
		}
		ids[n] = id
	}
	return postgres.NewStore(pool), pool, ids
}

func managedUnits(t *testing.T, pool *pgxpool.Pool, id int64) string {
	t.Helper()
	var units string
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(u.code, ' ' ORDER BY u.code), '')
		FROM manager_units m JOIN org_units u ON u.id = m.unit_id WHERE m.employee_id = $1`, id).Scan(&units); err != nil {
		t.Fatal(err)
	}
	return units
}

// Granting a role other than dirigente never writes headed units: it is refused, so that
// "coordinatore A02" cannot leave A02 behind for a later "dirigente A01".
func TestGrantRoleWritesUnitsOnlyForDirigente(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, ids := newRoleStore(t)
	for _, role := range []bot.Role{bot.RoleCoordinator, bot.RoleAdmin} {
		err := s.GrantRole(ctx, 0, ids["Mario"], role, []string{"A02"})
		if e, ok := asBotError(err); !ok || e.Code != bot.EINVALID || e.Key != "role.units_only_manager" {
			t.Errorf("%s with units: %v", role, err)
		}
	}
	if err := s.GrantRole(ctx, 0, ids["Mario"], bot.RoleManager, []string{"A01"}); err != nil {
		t.Fatal(err)
	}
	if got := managedUnits(t, pool, ids["Mario"]); got != "A01" {
		t.Errorf("Mario, dirigente of A01, heads %q", got)
	}
}

// Migration 00010 deletes the headed units of people who are not dirigenti, and keeps the
// dirigenti's.
func TestMigrationDropsStrayRoleUnits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, pool, ids := newRoleStore(t)
	// The rows the old GrantRole wrote: Anna, coordinatore with A02; Mario, dirigente of A01.
	for _, q := range []string{
		`INSERT INTO employee_roles (employee_id, role) VALUES ($1, 'coordinatore'), ($2, 'dirigente')`,
		`INSERT INTO manager_units (employee_id, unit_id)
			SELECT $1::bigint, id FROM org_units WHERE code = 'A02' UNION ALL SELECT $2::bigint, id FROM org_units WHERE code = 'A01'`,
	} {
		if _, err := pool.Exec(ctx, q, ids["Anna"], ids["Mario"]); err != nil {
			t.Fatal(err)
		}
	}
	sql, err := migrations.FS.ReadFile("00010_role_units.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, ok := strings.Cut(string(sql), "-- +goose Down")
	if !ok {
		t.Fatal("no Down section")
	}
	if _, err := pool.Exec(ctx, up); err != nil {
		t.Fatal(err)
	}
	if got := managedUnits(t, pool, ids["Anna"]); got != "" {
		t.Errorf("coordinatore Anna still heads %q", got)
	}
	if got := managedUnits(t, pool, ids["Mario"]); got != "A01" {
		t.Errorf("dirigente Mario heads %q, want A01", got)
	}
}

// The last active admin keeps the role: revoking it and erasing their data are refused. Two
// admins revoking each other at the same moment leave one admin, never none.
func TestLastAdminKeepsTheRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool, ids := newRoleStore(t)
	admins := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM employee_roles WHERE role = 'admin'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	mario, anna := ids["Mario"], ids["Anna"]
	if err := s.GrantRole(ctx, 0, mario, bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if e, ok := asBotError(s.RevokeRole(ctx, mario, mario, bot.RoleAdmin)); !ok || e.Key != "role.last_admin" || e.Code != bot.ECONFLICT {
		t.Fatalf("the only admin revoked themselves: %v", e)
	}
	if e, ok := asBotError(s.ErasePersonalData(ctx, mario, nil)); !ok || e.Key != "privacy.last_admin" {
		t.Fatalf("the only admin erased themselves: %v", e)
	}
	// An inactive admin does not count: nobody could use that role.
	if err := s.GrantRole(ctx, 0, ids["Bea"], bot.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE employees SET active = false WHERE id = $1`, ids["Bea"]); err != nil {
		t.Fatal(err)
	}
	if _, ok := asBotError(s.RevokeRole(ctx, mario, mario, bot.RoleAdmin)); !ok {
		t.Fatal("the only active admin revoked themselves")
	}
	// Revoking admin from someone who is not an admin is not held back.
	if err := s.RevokeRole(ctx, mario, anna, bot.RoleAdmin); err != nil {
		t.Fatal(err)
	}

	for round := range 20 {
		if err := s.GrantRole(ctx, 0, anna, bot.RoleAdmin, nil); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results [2]error
		)
		for i, pair := range [][2]int64{{mario, anna}, {anna, mario}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = s.RevokeRole(ctx, pair[0], pair[1], bot.RoleAdmin)
			}()
		}
		close(start)
		wg.Wait()
		refused := 0
		for _, err := range results {
			if e, ok := asBotError(err); ok && e.Key == "role.last_admin" {
				refused++
			} else if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		// Bea (inactive) keeps her row throughout: 2 rows means exactly one active admin.
		if refused != 1 || admins() != 2 {
			t.Fatalf("round %d: %d refused, %d admin rows (Bea's included)", round, refused, admins())
		}
		// Whoever is left is the admin for the next round's grant to Anna.
		var left int64
		if err := pool.QueryRow(ctx, `SELECT employee_id FROM employee_roles WHERE role = 'admin' AND employee_id <> $1`, ids["Bea"]).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != mario {
			mario, anna = anna, mario
		}
	}
}
