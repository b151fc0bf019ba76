package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
)

// Store implements bot.Store on PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

var _ bot.Store = (*Store)(nil)

const employeeColumns = `e.id, e.transport, e.external_id, e.display_name, e.unit_label, e.skills,
	coalesce(e.locale, ''), e.active, e.created_at, e.updated_at,
	coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM employee_roles r WHERE r.employee_id = e.id), '{}')`

func scanEmployee(row pgx.Row) (bot.Employee, error) {
	var (
		e     bot.Employee
		roles []string
	)
	err := row.Scan(&e.ID, &e.Transport, &e.ExternalID, &e.DisplayName, &e.Unit, &e.Skills,
		&e.Locale, &e.Active, &e.CreatedAt, &e.UpdatedAt, &roles)
	for _, r := range roles {
		e.Roles = append(e.Roles, bot.Role(r))
	}
	return e, err
}

// EnsureEmployee returns the employee for id, creating the row on first contact. The common
// case (the row exists) is one read; creation is race-free across replicas thanks to the
// unique (transport, external_id) constraint.
func (s *Store) EnsureEmployee(ctx context.Context, id bot.Identity) (bot.Employee, error) {
	const sel = `SELECT ` + employeeColumns + ` FROM employees e WHERE e.transport = $1 AND e.external_id = $2`
	e, err := scanEmployee(s.pool.QueryRow(ctx, sel, id.Transport, id.ExternalID))
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return bot.Employee{}, wrap("ensure employee: select", err)
	}
	name := []rune(id.DisplayName)
	if len(name) > 80 {
		name = name[:80]
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO employees (transport, external_id, display_name)
		VALUES ($1, $2, $3) ON CONFLICT (transport, external_id) DO NOTHING`,
		id.Transport, id.ExternalID, string(name))
	if err != nil {
		return bot.Employee{}, wrap("ensure employee: insert", err)
	}
	e, err = scanEmployee(s.pool.QueryRow(ctx, sel, id.Transport, id.ExternalID))
	if err != nil {
		return bot.Employee{}, wrap("ensure employee: reselect", err)
	}
	return e, nil
}

// UpdateProfile changes the given fields in one statement and returns the updated row.
func (s *Store) UpdateProfile(ctx context.Context, employeeID int64, u bot.ProfileUpdate) (bot.Employee, error) {
	var skills []string
	if u.Skills != nil {
		skills = *u.Skills
		if skills == nil {
			skills = []string{}
		}
	}
	var locale *string
	setLocale := u.Locale != nil
	if setLocale && *u.Locale != "" {
		locale = u.Locale
	}
	row := s.pool.QueryRow(ctx, `
		WITH e AS (
			UPDATE employees SET
				display_name = coalesce($2, display_name),
				unit_label   = coalesce($3, unit_label),
				skills       = CASE WHEN $4 THEN $5::text[] ELSE skills END,
				locale       = CASE WHEN $6 THEN $7 ELSE locale END,
				updated_at   = now()
			WHERE id = $1
			RETURNING *
		)
		SELECT `+employeeColumns+` FROM e`,
		employeeID, u.DisplayName, u.Unit, u.Skills != nil, skills, setLocale, locale)
	e, err := scanEmployee(row)
	if err != nil {
		return bot.Employee{}, wrap(fmt.Sprintf("update profile of employee %d", employeeID), err)
	}
	return e, nil
}

// GrantRole gives employeeID role (idempotent).
func (s *Store) GrantRole(ctx context.Context, employeeID int64, role bot.Role) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO employee_roles (employee_id, role) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, employeeID, string(role))
	return wrap("grant role", err)
}
