package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked the same way on a host without the OS database

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Employee import limits. A profile's own (name, skills, interests, capacity) are the core's,
// the same that the profile command applies, so that an imported profile can be saved
// unchanged in chat; e-mail and identities are the schema's.
const (
	importMaxEmail    = 254
	importMaxIdentity = 64
)

var (
	importEmailPattern   = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	importSlackIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`)
)

// employeeOptional are the optional columns whose absence keeps the stored value.
var employeeOptional = []string{"unit", "capacity", "interests", "locale", "timezone", "active"}

// employeeImport imports employees.csv: email, name, unit, skills, interests, capacity,
// locale, timezone, handle, slack_id, active. Rows are matched by lower(email); an employee
// who talked to the bot before being imported (a row with a chat identity but no e-mail) is
// matched by that identity instead, so that the import completes their row rather than
// making a second one.
type employeeImport struct {
	has    map[string]bool
	rows   [][]any
	skills [][]any
}

func (e *employeeImport) columns() []importColumn {
	return []importColumn{{"email", true}, {"name", true}, {"unit", false}, {"skills", false}, {"interests", false},
		{"capacity", false}, {"locale", false}, {"timezone", false}, {"handle", false}, {"slack_id", false},
		{"active", false}}
}

func (e *employeeImport) parse(t *importTable, errs *importErrors) {
	e.has = map[string]bool{}
	for _, c := range e.columns() {
		e.has[c.name] = t.has(c.name)
	}
	e.rows = make([][]any, 0, len(t.rows))
	seenEmail, seenHandle, seenSlack := map[string]int{}, map[string]int{}, map[string]int{}
	zones := map[string]bool{} // LoadLocation reads a file: once per distinct name, not per row
	for _, r := range t.rows {
		email := t.get(r, "email")
		lc := strings.ToLower(email)
		switch {
		case email == "":
			errs.add(r.line, "missing_value", "email", "")
		case !importEmailPattern.MatchString(email) || len(email) > importMaxEmail:
			errs.add(r.line, "bad_email", "email", email)
		case seenEmail[lc] != 0:
			errs.add(r.line, "duplicate_email", "email", email)
		default:
			seenEmail[lc] = r.line
		}
		name := t.get(r, "name")
		importRequireText(r, "name", name, true, bot.MaxDisplayName, errs)

		var capacity, interests, locale, timezone, active any
		if e.has["skills"] {
			e.parseSkills(r, t.get(r, "skills"), errs)
		}
		if e.has["interests"] {
			list := importList(t.get(r, "interests"), ";")
			if len(list) > bot.MaxInterests {
				errs.add(r.line, "too_many_values", "interests", strconv.Itoa(len(list)))
			}
			for _, it := range list {
				if importTooLong(it, bot.MaxInterestLen) {
					errs.add(r.line, "too_long", "interests", it)
				}
			}
			interests = append([]string{}, list...) // never nil: present means "set to this"
		}
		if e.has["capacity"] {
			capacity = int32(bot.DefaultCapacity)
			if v := t.get(r, "capacity"); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < bot.MinCapacity || n > bot.MaxCapacity {
					errs.add(r.line, "bad_capacity", "capacity", v)
				}
				capacity = int32(n)
			}
		}
		if e.has["locale"] {
			switch v := strings.ToLower(t.get(r, "locale")); v {
			case "", "auto":
			case "it", "en":
				locale = v
			default:
				errs.add(r.line, "bad_locale", "locale", t.get(r, "locale"))
			}
		}
		if e.has["timezone"] {
			if v := t.get(r, "timezone"); v != "" {
				ok, seen := zones[v]
				if !seen {
					_, err := time.LoadLocation(v)
					ok = err == nil && v != "Local"
					zones[v] = ok
				}
				if !ok || importTooLong(v, 64) {
					errs.add(r.line, "bad_timezone", "timezone", v)
				}
				timezone = v
			}
		}
		if e.has["active"] {
			v := t.get(r, "active")
			b, ok := parseImportBool(v)
			if !ok {
				errs.add(r.line, "bad_bool", "active", v)
			}
			active = b
		}
		handle := t.get(r, "handle")
		if handle != "" {
			switch {
			case strings.ContainsFunc(handle, isImportSpace) || importTooLong(handle, importMaxIdentity):
				errs.add(r.line, "bad_handle", "handle", handle)
			case seenHandle[handle] != 0:
				errs.add(r.line, "duplicate_handle", "handle", handle)
			default:
				seenHandle[handle] = r.line
			}
		}
		slackID := strings.ToUpper(t.get(r, "slack_id"))
		if slackID != "" {
			switch {
			case !importSlackIDPattern.MatchString(slackID):
				errs.add(r.line, "bad_slack_id", "slack_id", t.get(r, "slack_id"))
			case seenSlack[slackID] != 0:
				errs.add(r.line, "duplicate_slack_id", "slack_id", slackID)
			default:
				seenSlack[slackID] = r.line
			}
		}
		if email == "" {
			continue // nothing to match it by; already reported
		}
		e.rows = append(e.rows, []any{int32(r.line), email, name, importNull(t.get(r, "unit")), capacity, interests,
			locale, timezone, importNull(handle), importNull(slackID), active})
	}
}

// parseSkills reads "gis:3;appalti:2;bilancio" (level 1 when omitted, as in the profile
// command) into the skills staging rows. Codes are matched against the catalogue in SQL.
func (e *employeeImport) parseSkills(r importRow, v string, errs *importErrors) {
	seen := map[string]bool{}
	items := importList(v, ";,")
	if len(items) > bot.MaxProfileSkills {
		errs.add(r.line, "too_many_values", "skills", strconv.Itoa(len(items)))
	}
	for _, item := range items {
		code, levelText, hasLevel := strings.Cut(item, ":")
		code = strings.ToLower(strings.TrimSpace(code))
		level, levelOK := 1, true
		if hasLevel {
			n, err := strconv.Atoi(strings.TrimSpace(levelText))
			level, levelOK = n, err == nil && n >= bot.LevelBase && n <= bot.LevelExpert
		}
		switch {
		case !levelOK:
			errs.add(r.line, "bad_level", "skills", item)
		case code == "":
			errs.add(r.line, "unknown_skill", "skills", item)
		case seen[code]:
			errs.add(r.line, "duplicate_skill", "skills", code)
		default:
			e.skills = append(e.skills, []any{int32(r.line), code, int16(level)})
		}
		// A code given twice is reported even when one of the two has a bad level.
		seen[code] = true
	}
}

// parseImportBool reads the ways a spreadsheet says yes or no; empty is true (active by default).
func parseImportBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "", "true", "vero", "sì", "si", "yes", "1":
		return true, true
	case "false", "falso", "no", "0":
		return false, true
	}
	return true, false
}

func isImportSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0'
}

func (e *employeeImport) stage(ctx context.Context, tx pgx.Tx) error {
	err := importCopy(ctx, tx, `CREATE TEMP TABLE import_employees (
		line int PRIMARY KEY, email text NOT NULL, name text, unit_code text,
		capacity int, interests text[], locale text, timezone text, handle text, slack_id text, active boolean,
		unit_id bigint, emp_id bigint, status text,
		-- lower() as the unique index has it, not Go's ToLower: the two differ on rare letters.
		email_lc text GENERATED ALWAYS AS (lower(email)) STORED) ON COMMIT DROP`,
		"import_employees", []string{"line", "email", "name", "unit_code", "capacity", "interests",
			"locale", "timezone", "handle", "slack_id", "active"}, e.rows)
	if err != nil {
		return err
	}
	return importCopy(ctx, tx, `CREATE TEMP TABLE import_employee_skills (
		line int NOT NULL, code text NOT NULL, level smallint NOT NULL) ON COMMIT DROP`,
		"import_employee_skills", []string{"line", "code", "level"}, e.skills)
}

func (e *employeeImport) check(ctx context.Context, tx pgx.Tx, errs *importErrors) error {
	err := importExec(ctx, tx,
		`UPDATE import_employees s SET unit_id = o.id FROM org_units o WHERE o.code = s.unit_code`,
		`UPDATE import_employees s SET emp_id = e.id FROM employees e WHERE lower(e.email) = s.email_lc`,
		// Someone who used the bot before the import has a row with a chat identity and no
		// e-mail yet: the file's row completes it.
		`UPDATE import_employees s SET emp_id = i.employee_id
			FROM employee_identities i JOIN employees e ON e.id = i.employee_id
			WHERE s.emp_id IS NULL AND i.transport = 'slack' AND i.external_id = s.slack_id AND e.email IS NULL`,
		`UPDATE import_employees s SET emp_id = i.employee_id
			FROM employee_identities i JOIN employees e ON e.id = i.employee_id
			WHERE s.emp_id IS NULL AND i.transport = 'console' AND i.external_id = s.handle AND e.email IS NULL
			  AND NOT EXISTS (SELECT 1 FROM import_employees o WHERE o.emp_id = i.employee_id)`,
	)
	if err != nil {
		return fmt.Errorf("match employees: %w", err)
	}
	return importCollectErrors(ctx, tx, errs, `
		SELECT line, 'unknown_unit', 'unit', unit_code FROM import_employees
		WHERE unit_code IS NOT NULL AND unit_id IS NULL
		UNION ALL
		SELECT ss.line, 'unknown_skill', 'skills', ss.code FROM import_employee_skills ss
		WHERE NOT EXISTS (SELECT 1 FROM skills k WHERE k.code = ss.code)
		UNION ALL
		SELECT s.line, 'duplicate_slack_id', 'slack_id', s.slack_id FROM import_employees s
		JOIN employee_identities i ON i.transport = 'slack' AND i.external_id = s.slack_id
		WHERE i.employee_id IS DISTINCT FROM s.emp_id
		UNION ALL
		SELECT s.line, 'duplicate_handle', 'handle', s.handle FROM import_employees s
		JOIN employee_identities i ON i.transport = 'console' AND i.external_id = s.handle
		WHERE i.employee_id IS DISTINCT FROM s.emp_id`)
}

func (e *employeeImport) apply(ctx context.Context, tx pgx.Tx) (importCounts, error) {
	keepStored := false
	for _, c := range employeeOptional {
		keepStored = keepStored || !e.has[c]
	}
	if keepStored {
		// Absent columns keep what is stored.
		if _, err := tx.Exec(ctx, `
			UPDATE import_employees s SET
				unit_id   = CASE WHEN $1 THEN s.unit_id ELSE e.unit_id END,
				capacity  = CASE WHEN $2 THEN s.capacity ELSE e.capacity END,
				interests = CASE WHEN $3 THEN s.interests ELSE e.interests END,
				locale    = CASE WHEN $4 THEN s.locale ELSE e.locale END,
				timezone  = CASE WHEN $5 THEN s.timezone ELSE e.timezone END,
				active    = CASE WHEN $6 THEN s.active ELSE e.active END
			FROM employees e WHERE e.id = s.emp_id`,
			e.has["unit"], e.has["capacity"], e.has["interests"], e.has["locale"], e.has["timezone"], e.has["active"]); err != nil {
			return importCounts{}, fmt.Errorf("keep stored values: %w", err)
		}
	}
	stmts := []string{
		`UPDATE import_employees SET capacity = coalesce(capacity, ` + strconv.Itoa(bot.DefaultCapacity) + `), interests = coalesce(interests, '{}'),
			active = coalesce(active, true), status = CASE WHEN emp_id IS NULL THEN 'insert' ELSE 'same' END`,
		// The staging table was analysed when emp_id and status were still empty: the
		// planner must see them filled, or it picks nested loops over 50,000 rows.
		`ANALYZE import_employees`,
		`UPDATE import_employees s SET status = 'update' FROM employees e WHERE e.id = s.emp_id
			AND (e.display_name, e.email, e.unit_id, e.capacity, e.interests, e.locale, e.timezone, e.active)
			    IS DISTINCT FROM (s.name, s.email, s.unit_id, s.capacity, s.interests, s.locale, s.timezone, s.active)`,
		// A new chat identity is a change too (an omitted one is left alone, never deleted:
		// that would cut the person off from the bot).
		`UPDATE import_employees s SET status = 'update' WHERE s.status = 'same' AND (
			(s.slack_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employee_identities i
				WHERE i.transport = 'slack' AND i.external_id = s.slack_id AND i.employee_id = s.emp_id))
			OR (s.handle IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employee_identities i
				WHERE i.transport = 'console' AND i.external_id = s.handle AND i.employee_id = s.emp_id)))`,
	}
	if e.has["skills"] {
		stmts = append(stmts,
			`CREATE TEMP TABLE import_employee_skill_ids ON COMMIT DROP AS
				SELECT ss.line, s.emp_id, k.id AS skill_id, ss.level
				FROM import_employee_skills ss JOIN import_employees s ON s.line = ss.line JOIN skills k ON k.code = ss.code`,
			`ANALYZE import_employee_skill_ids`,
			`WITH want AS (
				SELECT emp_id, skill_id, level FROM import_employee_skill_ids WHERE emp_id IS NOT NULL
			), have AS (
				SELECT es.employee_id, es.skill_id, es.level FROM employee_skills es
				JOIN import_employees s ON s.emp_id = es.employee_id
			), diff AS (
				(SELECT * FROM want EXCEPT SELECT * FROM have) UNION ALL (SELECT * FROM have EXCEPT SELECT * FROM want)
			)
			UPDATE import_employees s SET status = 'update' WHERE s.status = 'same' AND s.emp_id IN (SELECT emp_id FROM diff)`,
		)
	}
	stmts = append(stmts,
		// Now the statuses are final: without fresh statistics the planner takes 'update'
		// for a rare value and joins the writes below by nested loops (minutes, not seconds,
		// when every row changes).
		`ANALYZE import_employees (status, emp_id)`,
		`WITH ins AS (
			INSERT INTO employees (display_name, email, unit_id, capacity, interests, locale, timezone, active)
			SELECT name, email, unit_id, capacity, interests, locale, timezone, active
			FROM import_employees WHERE status = 'insert' ORDER BY line
			RETURNING id, lower(email) AS email_lc
		)
		UPDATE import_employees s SET emp_id = ins.id FROM ins WHERE ins.email_lc = s.email_lc`,
		`UPDATE employees e SET display_name = s.name, email = s.email, unit_id = s.unit_id, capacity = s.capacity,
			interests = s.interests, locale = s.locale, timezone = s.timezone, active = s.active, updated_at = now()
		FROM import_employees s WHERE s.status = 'update' AND e.id = s.emp_id`,
	)
	if e.has["skills"] {
		// The file's set replaces the employee's skills.
		stmts = append(stmts,
			`DELETE FROM employee_skills es USING (
				SELECT h.employee_id, h.skill_id FROM employee_skills h
				JOIN import_employees s ON s.emp_id = h.employee_id AND s.status = 'update'
				EXCEPT
				SELECT emp_id, skill_id FROM import_employee_skill_ids
			) g
			WHERE es.employee_id = g.employee_id AND es.skill_id = g.skill_id`,
			// New employees have no skills yet: a plain insert, in key order, is the cheap path.
			`INSERT INTO employee_skills (employee_id, skill_id, level)
			SELECT s.emp_id, w.skill_id, w.level FROM import_employee_skill_ids w JOIN import_employees s ON s.line = w.line
			WHERE s.status = 'insert' ORDER BY 1, 2`,
			// Only the pairs that are new or change level: an upsert that changes nothing would
			// still lock (and so write) the row.
			`INSERT INTO employee_skills (employee_id, skill_id, level)
			SELECT * FROM (
				SELECT w.emp_id, w.skill_id, w.level FROM import_employee_skill_ids w JOIN import_employees s ON s.line = w.line
				WHERE s.status = 'update'
				EXCEPT
				SELECT es.employee_id, es.skill_id, es.level FROM employee_skills es
				JOIN import_employees s ON s.emp_id = es.employee_id AND s.status = 'update'
			) AS changed ORDER BY 1, 2
			ON CONFLICT (employee_id, skill_id) DO UPDATE SET level = EXCLUDED.level
			WHERE employee_skills.level IS DISTINCT FROM EXCLUDED.level`,
		)
	}
	stmts = append(stmts,
		`DELETE FROM employee_identities i USING import_employees s
		WHERE s.status = 'update' AND i.employee_id = s.emp_id
		  AND ((i.transport = 'slack' AND s.slack_id IS NOT NULL AND i.external_id <> s.slack_id)
		    OR (i.transport = 'console' AND s.handle IS NOT NULL AND i.external_id <> s.handle))`,
		`INSERT INTO employee_identities (transport, external_id, employee_id)
		SELECT 'slack', slack_id, emp_id FROM import_employees WHERE slack_id IS NOT NULL AND status = 'insert'
		UNION ALL
		SELECT 'console', handle, emp_id FROM import_employees WHERE handle IS NOT NULL AND status = 'insert'`,
		// An updated employee may already hold the identity: that one stays.
		`INSERT INTO employee_identities (transport, external_id, employee_id)
		SELECT 'slack', slack_id, emp_id FROM import_employees WHERE slack_id IS NOT NULL AND status = 'update'
		UNION ALL
		SELECT 'console', handle, emp_id FROM import_employees WHERE handle IS NOT NULL AND status = 'update'
		ON CONFLICT DO NOTHING`,
	)
	if err := importExec(ctx, tx, stmts...); err != nil {
		return importCounts{}, err
	}
	return importStatusCounts(ctx, tx, "import_employees")
}
