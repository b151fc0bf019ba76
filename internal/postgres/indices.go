package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/indices"
)

// The conflict and awareness indices (definitions in internal/indices) from the released
// answers of the monthly pulses: the instances of a template of purpose pulse (whatever its
// key or version, so that a re-versioned or re-imported pulse still counts) whose subject is
// "pulse:YYYY-MM". Only sums and counts leave the database; the k rule is applied by
// indices.Compute over every department at once, so that any subset shown is safe too.

var _ bot.IndicesStore = (*SurveyStore)(nil)

// pulseMonthsSQL selects the pulse instances of months $1..$2 (text, YYYY-MM), all or ($3) the
// closed ones only.
const pulseMonthsSQL = `
SELECT i.id, substr(i.subject, 7) AS month, i.min_respondents AS k, i.closed_on IS NOT NULL AS closed
FROM survey_instances i JOIN survey_versions v ON v.id = i.version_id
WHERE v.purpose = 'pulse' AND i.subject ~ '^pulse:[0-9]{4}-[0-9]{2}$'
  AND substr(i.subject, 7) BETWEEN $1 AND $2 AND (NOT $3 OR i.closed_on IS NOT NULL)`

// PulseIndices returns the indices of each month of q that has a pulse, oldest first.
func (s *SurveyStore) PulseIndices(ctx context.Context, q indices.Query) ([]indices.MonthIndices, error) {
	out, err := pulseIndices(ctx, s.pool, s.k, q)
	return out, wrap("pulse indices", err)
}

// pulseIndices computes the indices of q's months with db (a pool or a transaction); k is the
// store's, raised to an instance's where that is higher.
func pulseIndices(ctx context.Context, db rowQuerier, k int, q indices.Query) ([]indices.MonthIndices, error) {
	from, to := q.From.String(), q.To.String()
	rows, err := db.Query(ctx, `SELECT month, max(k), bool_and(closed) FROM (`+pulseMonthsSQL+`) m GROUP BY month ORDER BY month`,
		from, to, q.ClosedOnly)
	if err != nil {
		return nil, fmt.Errorf("pulse months: %w", err)
	}
	type monthInfo struct {
		k      int
		closed bool
	}
	var order []indices.Month
	info := map[indices.Month]monthInfo{}
	for rows.Next() {
		var (
			month string
			mi    monthInfo
		)
		if err := rows.Scan(&month, &mi.k, &mi.closed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pulse months: %w", err)
		}
		m, err := indices.ParseMonth(month)
		if err != nil {
			rows.Close()
			return nil, err
		}
		order = append(order, m)
		info[m] = mi
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pulse months: %w", err)
	}
	if len(order) == 0 {
		return nil, nil
	}

	// One row per month for the council (grouping() = 1) and one per month and kept
	// department. Each response is first reduced to its sums, so that respondents are counted
	// per response; only Likert answers of the index questions count (a re-versioned template
	// could in principle have changed a question's kind).
	rows, err = db.Query(ctx, `
WITH inst AS (`+pulseMonthsSQL+`),
resp AS (
    SELECT inst.month, a.response, min(a.department_id) AS department_id,
           count(*) FILTER (WHERE q.key = $4) AS c_n,
           coalesce(sum(a.value_int) FILTER (WHERE q.key = $4), 0) AS c_sum,
           count(*) FILTER (WHERE q.key IN ($5, $6)) AS a_n,
           coalesce(sum(a.value_int) FILTER (WHERE q.key IN ($5, $6)), 0) AS a_sum
    FROM survey_answers a
    JOIN inst ON inst.id = a.instance_id
    LEFT JOIN survey_questions q ON q.version_id = a.version_id AND q.key = a.question AND q.kind = 'likert'
         AND a.value_int BETWEEN 1 AND 5
    GROUP BY inst.month, a.response
)
SELECT r.month, grouping(r.department_id) = 1, coalesce(r.department_id, 0), coalesce(u.code, ''), coalesce(u.name, ''),
       count(*), count(*) FILTER (WHERE r.c_n > 0), coalesce(sum(r.c_n), 0), coalesce(sum(r.c_sum), 0),
       count(*) FILTER (WHERE r.a_n > 0), coalesce(sum(r.a_n), 0), coalesce(sum(r.a_sum), 0)
FROM resp r LEFT JOIN org_units u ON u.id = r.department_id
GROUP BY GROUPING SETS ((r.month), (r.month, r.department_id, u.code, u.name))
ORDER BY 1`,
		from, to, q.ClosedOnly, indices.QuestionConflict, indices.QuestionObjectives, indices.QuestionPossibilities)
	if err != nil {
		return nil, fmt.Errorf("pulse tallies: %w", err)
	}
	councils := map[indices.Month]indices.Tally{}
	depts := map[indices.Month][]indices.DepartmentTally{}
	for rows.Next() {
		var (
			month   string
			council bool
			d       indices.DepartmentTally
			t       indices.Tally
		)
		if err := rows.Scan(&month, &council, &d.ID, &d.Code, &d.Name, &t.Respondents,
			&t.Conflict.Respondents, &t.Conflict.Answers, &t.Conflict.Total,
			&t.Awareness.Respondents, &t.Awareness.Answers, &t.Awareness.Total); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pulse tallies: %w", err)
		}
		m, err := indices.ParseMonth(month)
		if err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case council:
			councils[m] = t
		case d.ID != 0: // answers whose department was not kept count for the council only
			d.Tally = t
			depts[m] = append(depts[m], d)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pulse tallies: %w", err)
	}
	out := make([]indices.MonthIndices, 0, len(order))
	for _, m := range order {
		mi := indices.Compute(m, max(k, info[m].k), councils[m], depts[m])
		mi.Closed = info[m].closed
		out = append(out, mi)
	}
	return out, nil
}

// IndicesScope lists the departments employeeID may see, by code: every department when all
// (an admin), else the departments at or under the units they head.
func (s *SurveyStore) IndicesScope(ctx context.Context, employeeID int64, all bool) ([]indices.Department, error) {
	rows, err := s.pool.Query(ctx, `
WITH RECURSIVE down AS (
    SELECT m.unit_id AS id FROM manager_units m WHERE m.employee_id = $1
    UNION
    SELECT c.id FROM org_units c JOIN down ON c.parent_id = down.id
)
SELECT u.id, u.code, u.name FROM org_units u
WHERE u.type_label = $2 AND ($3 OR u.id IN (SELECT id FROM down))
ORDER BY u.code`, employeeID, s.deptType, all)
	if err != nil {
		return nil, wrap("indices scope", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (indices.Department, error) {
		var d indices.Department
		return d, r.Scan(&d.ID, &d.Code, &d.Name)
	})
	return out, wrap("indices scope", err)
}

// ConflictNotices finds the departments whose conflict index worsened and records the notices
// sent about them (the conflict-notices schedule).
type ConflictNotices struct {
	// K is SURVEY_MIN_RESPONDENTS (an instance's own k applies when higher).
	K int
}

// DueConflictNoticesTx lists, in tx, the departments whose conflict index in the latest closed
// pulse is worse by at least margin points than in the pulse two months before, both figures
// under the k rule, with the people to tell, leaving out those already told about that month.
// The latest closed pulse counts only while it is recent (its month at most two months before
// day's): a notice about an old month would come too late to help. A department whose heads
// have no address to write to is listed with no recipients.
func (n ConflictNotices) DueConflictNoticesTx(ctx context.Context, tx pgx.Tx, day time.Time, margin float64) ([]bot.ConflictWorsening, error) {
	var latest *string
	if err := tx.QueryRow(ctx, `SELECT max(month) FROM (`+pulseMonthsSQL+`) m`, "0000-00", "9999-99", true).Scan(&latest); err != nil {
		return nil, wrap("latest closed pulse", err)
	}
	if latest == nil {
		return nil, nil
	}
	now, err := indices.ParseMonth(*latest)
	if err != nil {
		return nil, err
	}
	if now.Compare(indices.MonthOf(day).Add(-indices.NoticeGap)) < 0 {
		return nil, nil
	}
	before := now.Add(-indices.NoticeGap)
	months, err := pulseIndices(ctx, tx, n.K, indices.Query{From: before, To: now, ClosedOnly: true})
	if err != nil {
		return nil, wrap("conflict notices", err)
	}
	if len(months) < 2 || months[0].Month != before || months[len(months)-1].Month != now {
		return nil, nil // no pulse two months before: nothing to compare with
	}
	was, is := months[0], months[len(months)-1]
	var out []bot.ConflictWorsening
	for _, d := range is.Departments {
		b := was.Department(d.ID)
		if !indices.Worsened(b.Conflict, d.Conflict, margin) {
			continue
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conflict_notices WHERE department_id = $1 AND month = $2)`,
			d.ID, now.String()).Scan(&done); err != nil {
			return nil, wrap("conflict notices", err)
		}
		if done {
			continue
		}
		w := bot.ConflictWorsening{Department: d.Department, Before: before, Now: now,
			BeforeFigure: b.Conflict, NowFigure: d.Conflict, Awareness: d.Awareness, Margin: margin}
		if w.Offices, err = offices(ctx, tx, d.ID); err != nil {
			return nil, err
		}
		if w.Recipients, err = departmentHeads(ctx, tx, d.ID); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// ClaimConflictNoticeTx records, in tx, that w's notice is sent, and reports whether it was new:
// the caller enqueues the messages only then, in the same transaction.
func (ConflictNotices) ClaimConflictNoticeTx(ctx context.Context, tx pgx.Tx, w bot.ConflictWorsening, recipients int) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO conflict_notices (department_id, month, recipients) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING`, w.Department.ID, w.Now.String(), recipients)
	if err != nil {
		return false, wrap("claim conflict notice", err)
	}
	return tag.RowsAffected() == 1, nil
}

// offices lists the names of the units directly under a department.
func offices(ctx context.Context, tx pgx.Tx, deptID int64) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT name FROM org_units WHERE parent_id = $1 ORDER BY code`, deptID)
	if err != nil {
		return nil, wrap("department offices", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("department offices", err)
}

// departmentHeads returns a department's dirigenti: the active people who head the department
// unit itself or, when nobody does, the nearest unit above it that has a head. A head of an
// Area is told about one of its departments only when that department has no head of its own:
// the figure is the department's, and its own dirigente is who can act on it.
func departmentHeads(ctx context.Context, tx pgx.Tx, deptID int64) ([]bot.PersonRef, error) {
	rows, err := tx.Query(ctx, `
WITH RECURSIVE up AS (
    SELECT id, parent_id, 0 AS depth FROM org_units WHERE id = $1
    UNION ALL
    SELECT p.id, p.parent_id, up.depth + 1 FROM org_units p JOIN up ON p.id = up.parent_id
), heads AS (
    SELECT m.employee_id, up.depth FROM manager_units m
    JOIN up ON up.id = m.unit_id
    JOIN employees e ON e.id = m.employee_id AND e.active AND e.erased_at IS NULL
    WHERE EXISTS (SELECT 1 FROM employee_roles r WHERE r.employee_id = m.employee_id AND r.role = 'dirigente')
)
SELECT DISTINCT e.id, e.display_name, coalesce(s.external_id, ''), coalesce(c.external_id, ''),
       coalesce(e.locale, e.slack_locale, '')
FROM heads h
JOIN employees e ON e.id = h.employee_id
LEFT JOIN employee_identities s ON s.employee_id = e.id AND s.transport = 'slack'
LEFT JOIN employee_identities c ON c.employee_id = e.id AND c.transport = 'console'
WHERE h.depth = (SELECT min(depth) FROM heads)
ORDER BY e.id`, deptID)
	if err != nil {
		return nil, wrap("department heads", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.PersonRef, error) {
		var p bot.PersonRef
		return p, r.Scan(&p.ID, &p.Name, &p.SlackUserID, &p.Handle, &p.Locale)
	})
	return out, wrap("department heads", err)
}
