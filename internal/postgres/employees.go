package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
)

// DefaultDepartmentType is the org unit type that counts as "the department" unless configured.
const DefaultDepartmentType = "Settore"

// Store implements bot.Store on PostgreSQL.
type Store struct {
	pool     *pgxpool.Pool
	deptType string
	outbox   Outbox
	// surveys, when set, is where changes that call for a survey (a "sì" to "did you meet?",
	// a project entering monitoraggio or concluso) open it, in their own transaction.
	surveys *SurveyStore
}

// WithSurveys sets the survey store that changes calling for a survey open it in.
func WithSurveys(ss *SurveyStore) Option { return func(s *Store) { s.surveys = ss } }

// Surveys returns the survey store set by WithSurveys (nil when none), for the jobs that open,
// remind and close surveys.
func (s *Store) Surveys() *SurveyStore { return s.surveys }

// Option configures a Store.
type Option func(*Store)

// WithDepartmentType sets the org unit type label that is "the department" (ORG_DEPARTMENT_TYPE).
func WithDepartmentType(t string) Option {
	return func(s *Store) {
		if t != "" {
			s.deptType = t
		}
	}
}

// NewStore returns a Store on pool.
func NewStore(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, deptType: DefaultDepartmentType}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Pool returns the store's pool, for the parts (importer, jobs) that share it.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

var _ bot.Store = (*Store)(nil)

// employeeQuery loads one employee with unit, department and site. The department is the
// nearest ancestor-or-self of the configured type; the site is the nearest one set on the way
// up (an office sits where its service sits unless it says otherwise).
const employeeQuery = `
SELECT e.id, coalesce(e.email, ''), e.display_name, coalesce(e.locale, ''), coalesce(e.slack_locale, ''), coalesce(e.timezone, ''),
       e.capacity, e.interests, e.active, e.created_at, e.updated_at,
       u.code, u.name, u.type_label,
       d.code, d.name, d.type_label,
       st.code, st.name,
       coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM employee_roles r WHERE r.employee_id = e.id), '{}'),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack'), '')
FROM employees e
LEFT JOIN org_units u ON u.id = e.unit_id
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT o.id, o.code, o.name, o.type_label, o.parent_id, 0 AS depth FROM org_units o WHERE o.id = e.unit_id
        UNION ALL
        SELECT p.id, p.code, p.name, p.type_label, p.parent_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
    )
    SELECT code, name, type_label FROM up WHERE type_label = $2 ORDER BY depth LIMIT 1
) d ON true
LEFT JOIN LATERAL (
    WITH RECURSIVE up AS (
        SELECT o.parent_id, o.site_id, 0 AS depth FROM org_units o WHERE o.id = e.unit_id
        UNION ALL
        SELECT p.parent_id, p.site_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
    )
    SELECT s.code, s.name FROM up JOIN sites s ON s.id = up.site_id ORDER BY depth LIMIT 1
) st ON true
WHERE e.id = $1`

const employeeSkillsQuery = `
SELECT s.code, s.name_it, s.name_en, s.category, es.level
FROM employee_skills es JOIN skills s ON s.id = es.skill_id
WHERE es.employee_id = $1
ORDER BY es.level DESC, s.code`

const managedUnitsQuery = `
SELECT u.code, u.name, u.type_label
FROM manager_units m JOIN org_units u ON u.id = m.unit_id
WHERE m.employee_id = $1 ORDER BY u.code`

// querier is what a pool and a transaction share.
type querier interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// loadEmployee reads an employee, skills and managed units in one round trip.
func (s *Store) loadEmployee(ctx context.Context, q querier, id int64) (bot.Employee, error) {
	b := &pgx.Batch{}
	b.Queue(employeeQuery, id, s.deptType)
	b.Queue(employeeSkillsQuery, id)
	b.Queue(managedUnitsQuery, id)
	br := q.SendBatch(ctx, b)
	defer br.Close()

	var (
		e                   bot.Employee
		uCode, uName, uType *string
		dCode, dName, dType *string
		sCode, sName        *string
		roles               []string
	)
	err := br.QueryRow().Scan(&e.ID, &e.Email, &e.DisplayName, &e.Locale, &e.SlackLocale, &e.Timezone,
		&e.Capacity, &e.Interests, &e.Active, &e.CreatedAt, &e.UpdatedAt,
		&uCode, &uName, &uType, &dCode, &dName, &dType, &sCode, &sName, &roles, &e.SlackUserID)
	if err != nil {
		return bot.Employee{}, wrap(fmt.Sprintf("load employee %d", id), err)
	}
	if uCode != nil {
		e.Unit = &bot.UnitRef{Code: *uCode, Name: *uName, Type: *uType}
	}
	if dCode != nil {
		e.Department = &bot.UnitRef{Code: *dCode, Name: *dName, Type: *dType}
	}
	if sCode != nil {
		e.Site = &bot.SiteRef{Code: *sCode, Name: *sName}
	}
	for _, r := range roles {
		e.Roles = append(e.Roles, bot.Role(r))
	}
	rows, err := br.Query()
	if err != nil {
		return bot.Employee{}, wrap("load employee skills", err)
	}
	for rows.Next() {
		var sl bot.SkillLevel
		if err := rows.Scan(&sl.Code, &sl.NameIT, &sl.NameEN, &sl.Category, &sl.Level); err != nil {
			rows.Close()
			return bot.Employee{}, wrap("scan employee skill", err)
		}
		e.Skills = append(e.Skills, sl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bot.Employee{}, wrap("load employee skills", err)
	}
	rows, err = br.Query()
	if err != nil {
		return bot.Employee{}, wrap("load managed units", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u bot.UnitRef
		if err := rows.Scan(&u.Code, &u.Name, &u.Type); err != nil {
			return bot.Employee{}, wrap("scan managed unit", err)
		}
		e.ManagedUnits = append(e.ManagedUnits, u)
	}
	return e, wrap("load managed units", rows.Err())
}

// EnsureEmployee returns the employee for id, creating the row (and its identity) on first
// contact. The common case is one lookup plus one batched load; creation is race-free across
// replicas thanks to the identity's primary key.
func (s *Store) EnsureEmployee(ctx context.Context, id bot.Identity) (bot.Employee, error) {
	empID, err := s.identityOwner(ctx, id.Transport, id.ExternalID)
	if errors.Is(err, bot.ErrNotFound) {
		empID, err = s.createWithIdentity(ctx, id)
	}
	if err != nil {
		return bot.Employee{}, fmt.Errorf("ensure employee: %w", err)
	}
	return s.loadEmployee(ctx, s.pool, empID)
}

func (s *Store) identityOwner(ctx context.Context, transport, externalID string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT employee_id FROM employee_identities WHERE transport = $1 AND external_id = $2`,
		transport, externalID).Scan(&id)
	return id, wrap("find identity", err)
}

func (s *Store) createWithIdentity(ctx context.Context, id bot.Identity) (int64, error) {
	name := []rune(strings.TrimSpace(id.DisplayName))
	if len(name) > 80 {
		name = name[:80]
	}
	var empID int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO employees (display_name) VALUES ($1) RETURNING id`, string(name)).Scan(&empID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, id.Transport, id.ExternalID, empID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errIdentityTaken
		}
		// Someone who erased their data and now writes again comes back by choice: drop them
		// from the suppression list so that the user sync keeps their new row up to date.
		_, err = tx.Exec(ctx, `DELETE FROM erased_identities WHERE transport = $1 AND id_hash = sha256(convert_to($2, 'UTF8'))`,
			id.Transport, id.ExternalID)
		return err
	})
	if errors.Is(err, errIdentityTaken) {
		// Another replica created it first: use theirs (our transaction rolled back).
		return s.identityOwner(ctx, id.Transport, id.ExternalID)
	}
	return empID, wrap("create employee", err)
}

var errIdentityTaken = errors.New("identity created concurrently")

// FindEmployee returns the employee ref points at.
func (s *Store) FindEmployee(ctx context.Context, ref bot.EmployeeRef) (bot.Employee, error) {
	var (
		id  int64
		err error
	)
	switch {
	case ref.Email != "":
		err = s.pool.QueryRow(ctx, `SELECT id FROM employees WHERE lower(email) = lower($1)`, ref.Email).Scan(&id)
		err = wrap("find employee by e-mail", err)
	default:
		id, err = s.identityOwner(ctx, ref.Transport, ref.ExternalID)
	}
	if err != nil {
		return bot.Employee{}, err
	}
	return s.loadEmployee(ctx, s.pool, id)
}

// UpdateProfile changes the given fields in one transaction and returns the updated employee.
// An unknown skill code is refused (nothing is written).
func (s *Store) UpdateProfile(ctx context.Context, employeeID int64, u bot.ProfileUpdate) (bot.Employee, error) {
	var e bot.Employee
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locale *string
		setLocale := u.Locale != nil
		if setLocale && *u.Locale != "" {
			locale = u.Locale
		}
		var interests []string
		if u.Interests != nil {
			interests = append([]string{}, *u.Interests...)
		}
		tag, err := tx.Exec(ctx, `
			UPDATE employees SET
				display_name = coalesce($2, display_name),
				interests    = CASE WHEN $3 THEN $4::text[] ELSE interests END,
				capacity     = coalesce($5, capacity),
				locale       = CASE WHEN $6 THEN $7 ELSE locale END,
				updated_at   = now()
			WHERE id = $1`,
			employeeID, u.DisplayName, u.Interests != nil, interests, u.Capacity, setLocale, locale)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if u.Skills != nil {
			if err := replaceSkills(ctx, tx, employeeID, *u.Skills); err != nil {
				return err
			}
		}
		e, err = s.loadEmployee(ctx, tx, employeeID)
		return err
	})
	if err != nil {
		return bot.Employee{}, wrap(fmt.Sprintf("update profile of employee %d", employeeID), err)
	}
	return e, nil
}

// replaceSkills sets the employee's skills to exactly skills (checked by the core against the
// catalogue and bot.ProfileUpdate.Validate). A code the catalogue no longer holds (removed
// since the core read it) is an ENOTFOUND *Error naming it.
func replaceSkills(ctx context.Context, tx pgx.Tx, employeeID int64, skills []bot.SkillInput) error {
	codes := make([]string, len(skills))
	levels := make([]int32, len(skills))
	for i, sk := range skills {
		codes[i], levels[i] = sk.Code, int32(sk.Level)
	}
	missing, err := firstMissing(ctx, tx, "skills", codes)
	if err != nil {
		return err
	}
	if missing != "" {
		return bot.Errorf(bot.ENOTFOUND, "profile.unknown_skill", "skill", missing)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM employee_skills WHERE employee_id = $1`, employeeID); err != nil {
		return err
	}
	if len(skills) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO employee_skills (employee_id, skill_id, level)
		SELECT $1, s.id, v.level FROM unnest($2::text[], $3::int[]) AS v(code, level)
		JOIN skills s ON s.code = v.code`, employeeID, codes, levels)
	return err
}

// Skills returns the catalogue, sorted by code.
func (s *Store) Skills(ctx context.Context) ([]bot.Skill, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name_it, name_en, category FROM skills ORDER BY code`)
	if err != nil {
		return nil, wrap("list skills", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.Skill, error) {
		var sk bot.Skill
		err := r.Scan(&sk.Code, &sk.NameIT, &sk.NameEN, &sk.Category)
		return sk, err
	})
	return out, wrap("list skills", err)
}

// openPhases are the phases in which a project still looks for people.
var openPhases = []string{"ideazione", "progettazione"}

// Opportunities lists open projects needing one of the employee's skills at a level they
// have, newest first: not their own (they coordinate it), nor one whose team they are in or
// were invited to (whatever they answered).
func (s *Store) Opportunities(ctx context.Context, employeeID int64) ([]bot.Opportunity, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.title, p.phase, s.code, s.name_it, s.name_en, s.category, es.level, ps.min_level
		FROM projects p
		JOIN project_skills ps ON ps.project_id = p.id
		JOIN employee_skills es ON es.skill_id = ps.skill_id AND es.employee_id = $1 AND es.level >= ps.min_level
		JOIN skills s ON s.id = ps.skill_id
		WHERE p.phase = ANY($2)
		  AND p.coordinator_id IS DISTINCT FROM $1
		  AND NOT EXISTS (SELECT 1 FROM team_invitations t WHERE t.project_id = p.id AND t.employee_id = $1)
		  AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.project_id = p.id AND m.employee_id = $1)
		ORDER BY p.created_at DESC, p.id DESC, s.code
		LIMIT 500`, employeeID, openPhases)
	if err != nil {
		return nil, wrap("opportunities", err)
	}
	defer rows.Close()
	var out []bot.Opportunity
	for rows.Next() {
		var (
			o  bot.Opportunity
			sl bot.SkillMatch
		)
		if err := rows.Scan(&o.ProjectID, &o.Title, &o.Phase, &sl.Code, &sl.NameIT, &sl.NameEN, &sl.Category, &sl.Level, &sl.MinLevel); err != nil {
			return nil, wrap("scan opportunity", err)
		}
		if n := len(out); n > 0 && out[n-1].ProjectID == o.ProjectID {
			out[n-1].Matches = append(out[n-1].Matches, sl)
			continue
		}
		o.Matches = []bot.SkillMatch{sl}
		out = append(out, o)
	}
	return out, wrap("opportunities", rows.Err())
}
