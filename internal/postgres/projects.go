package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/comune-prato/cantieri/bot"
)

var _ bot.ProjectStore = (*Store)(nil)

// Paging of project lists. A project's field limits are the core's (bot.ProjectInput.Validate):
// the store checks none of them, and the schema's CHECK constraints are only a backstop.
const (
	defaultListLimit = 10
	maxListLimit     = 50
)

// projectRow is a project's own columns, as written: the input merged over the defaults (on
// creation) or over the current row (on edit).
type projectRow struct {
	title         string
	description   string
	coordinatorID *int64
	teamSize      int
	budgetCents   int64
	fundingSource string
	plannedStart  *time.Time
	plannedEnd    *time.Time
}

// apply copies the non-nil fields of in onto r, trimming text and normalising dates.
func (r *projectRow) apply(in bot.ProjectInput) {
	if in.Title != nil {
		r.title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		r.description = strings.TrimSpace(*in.Description)
	}
	if in.CoordinatorID != nil && *in.CoordinatorID != 0 {
		id := *in.CoordinatorID
		r.coordinatorID = &id
	}
	if in.TeamSize != nil {
		r.teamSize = *in.TeamSize
	}
	if in.BudgetCents != nil {
		r.budgetCents = *in.BudgetCents
	}
	if in.FundingSource != nil {
		r.fundingSource = strings.TrimSpace(*in.FundingSource)
	}
	if in.PlannedStart != nil {
		r.plannedStart = dateOf(*in.PlannedStart)
	}
	if in.PlannedEnd != nil {
		r.plannedEnd = dateOf(*in.PlannedEnd)
	}
}

// dateOf is t's calendar day (in t's own location) at midnight UTC, as a date column holds it.
func dateOf(t time.Time) *time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &day
}

// cleanCodes trims codes and drops empty ones and repeats, keeping the order.
func cleanCodes(codes []string) []string {
	out := make([]string, 0, len(codes))
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}

// cleanSkills returns the skill needs with trimmed, lower-case codes (the core has checked
// levels, counts and repeats).
func cleanSkills(in []bot.SkillNeedInput) []bot.SkillNeedInput {
	out := make([]bot.SkillNeedInput, 0, len(in))
	for _, sk := range in {
		sk.Code = strings.ToLower(strings.TrimSpace(sk.Code))
		if sk.Code != "" {
			out = append(out, sk)
		}
	}
	return out
}

// skillCodes lists the needs' codes.
func skillCodes(skills []bot.SkillNeedInput) []string {
	codes := make([]string, len(skills))
	for i, sk := range skills {
		codes[i] = sk.Code
	}
	return codes
}

// CreateProject creates a project in ideazione, with its objectives, units and skill needs, the
// first history row and an audit row, in one transaction. The coordinator defaults to the
// actor. The input is the core's, validated (bot.ProjectInput.Validate); an unknown
// objective, unit, skill or coordinator is an ENOTFOUND *Error, found before the project's
// row is inserted, so that a refused project takes no number.
func (s *Store) CreateProject(ctx context.Context, actorID int64, in bot.ProjectInput) (bot.Project, error) {
	row := projectRow{teamSize: bot.DefaultTeamSize}
	if actorID != 0 {
		row.coordinatorID = &actorID
	}
	row.apply(in)
	objectives := cleanCodes(in.ObjectiveCodes)
	units := cleanCodes(in.UnitCodes)
	skills := cleanSkills(in.Skills)

	var p bot.Project
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkCoordinator(ctx, tx, row.coordinatorID); err != nil {
			return err
		}
		if err := checkReferences(ctx, tx, objectives, units, skillCodes(skills)); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO projects (title, description, coordinator_id, team_size, budget_cents, funding_source,
				planned_start, planned_end, phase)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ideazione') RETURNING id`,
			row.title, row.description, row.coordinatorID, row.teamSize, row.budgetCents, row.fundingSource,
			row.plannedStart, row.plannedEnd).Scan(&id)
		if err != nil {
			return err
		}
		if err := replaceObjectives(ctx, tx, id, objectives); err != nil {
			return err
		}
		if err := replaceUnits(ctx, tx, id, units); err != nil {
			return err
		}
		if err := replaceProjectSkills(ctx, tx, id, skills); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_phase_history (project_id, from_phase, to_phase, actor_id)
			VALUES ($1, NULL, 'ideazione', $2)`, id, nullID(actorID)); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "project.create", projectSubject(id),
			map[string]any{"title": row.title, "objectives": objectives, "units": units}); err != nil {
			return err
		}
		p, err = s.loadProject(ctx, tx, id)
		return err
	})
	if err != nil {
		return bot.Project{}, wrap("create project", translateProjectErr(err))
	}
	return p, nil
}

// UpdateProject changes the given fields of a project (nil leaves a field as it is; a non-nil
// slice replaces the whole set) in one transaction. The core has validated the project as it
// will be (bot.ProjectInput.Validate against the project it loaded).
func (s *Store) UpdateProject(ctx context.Context, actorID, projectID int64, in bot.ProjectInput) (bot.Project, error) {
	objectives, units, skills := cleanCodes(in.ObjectiveCodes), cleanCodes(in.UnitCodes), cleanSkills(in.Skills)
	var p bot.Project
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var row projectRow
		err := tx.QueryRow(ctx, `
			SELECT title, description, coordinator_id, team_size, budget_cents, funding_source, planned_start, planned_end
			FROM projects WHERE id = $1 FOR UPDATE`, projectID).
			Scan(&row.title, &row.description, &row.coordinatorID, &row.teamSize, &row.budgetCents, &row.fundingSource,
				&row.plannedStart, &row.plannedEnd)
		if err != nil {
			return err
		}
		row.apply(in)
		if in.CoordinatorID != nil {
			if err := checkCoordinator(ctx, tx, row.coordinatorID); err != nil {
				return err
			}
		}
		if err := checkReferences(ctx, tx, objectives, units, skillCodes(skills)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE projects SET title = $2, description = $3, coordinator_id = $4, team_size = $5, budget_cents = $6,
				funding_source = $7, planned_start = $8, planned_end = $9, updated_at = now()
			WHERE id = $1`, projectID, row.title, row.description, row.coordinatorID, row.teamSize, row.budgetCents,
			row.fundingSource, row.plannedStart, row.plannedEnd); err != nil {
			return err
		}
		if in.ObjectiveCodes != nil {
			if err := replaceObjectives(ctx, tx, projectID, objectives); err != nil {
				return err
			}
		}
		if in.UnitCodes != nil {
			if err := replaceUnits(ctx, tx, projectID, units); err != nil {
				return err
			}
		}
		if in.Skills != nil {
			if err := replaceProjectSkills(ctx, tx, projectID, skills); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, actorID, "project.update", projectSubject(projectID),
			map[string]any{"fields": changedFields(in)}); err != nil {
			return err
		}
		p, err = s.loadProject(ctx, tx, projectID)
		return err
	})
	if err != nil {
		return bot.Project{}, wrap(fmt.Sprintf("update project %d", projectID), translateProjectErr(err))
	}
	return p, nil
}

// changedFields names the fields an edit touches, for the audit log.
func changedFields(in bot.ProjectInput) []string {
	var f []string
	add := func(set bool, name string) {
		if set {
			f = append(f, name)
		}
	}
	add(in.Title != nil, "title")
	add(in.Description != nil, "description")
	add(in.CoordinatorID != nil, "coordinator")
	add(in.ObjectiveCodes != nil, "objectives")
	add(in.UnitCodes != nil, "units")
	add(in.Skills != nil, "skills")
	add(in.TeamSize != nil, "team_size")
	add(in.BudgetCents != nil, "budget")
	add(in.FundingSource != nil, "funding_source")
	add(in.PlannedStart != nil, "planned_start")
	add(in.PlannedEnd != nil, "planned_end")
	return f
}

func projectSubject(id int64) string { return fmt.Sprintf("project:%d", id) }

// nullID is id, or NULL for 0 (the system).
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// checkCoordinator refuses a coordinator who is not an active employee.
func checkCoordinator(ctx context.Context, tx pgx.Tx, id *int64) error {
	if id == nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM employees WHERE id = $1 AND active)`, *id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return bot.Errorf(bot.ENOTFOUND, "project.error.unknown_coordinator")
	}
	return nil
}

// firstMissing returns the first of codes (in their order) that table has no row for.
func firstMissing(ctx context.Context, tx pgx.Tx, table string, codes []string) (string, error) {
	if len(codes) == 0 {
		return "", nil
	}
	var missing string
	err := tx.QueryRow(ctx, `SELECT c FROM unnest($1::text[]) WITH ORDINALITY AS v(c, n)
		WHERE NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.code = v.c) ORDER BY n LIMIT 1`, codes).Scan(&missing)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return missing, err
}

// checkReferences refuses, before anything is written, the first objective, unit or skill code
// that the catalogues do not hold: the one "validation" only the database can make.
func checkReferences(ctx context.Context, tx pgx.Tx, objectives, units, skills []string) error {
	for _, ref := range []struct {
		table, key string
		codes      []string
	}{
		{"objectives", "project.error.unknown_objective", objectives},
		{"org_units", "project.error.unknown_unit", units},
		{"skills", "project.error.unknown_skill", skills},
	} {
		missing, err := firstMissing(ctx, tx, ref.table, ref.codes)
		if err != nil {
			return err
		}
		if missing != "" {
			return bot.Errorf(bot.ENOTFOUND, ref.key, "code", missing)
		}
	}
	return nil
}

func replaceObjectives(ctx context.Context, tx pgx.Tx, projectID int64, codes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM project_objectives WHERE project_id = $1`, projectID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO project_objectives (project_id, objective_id)
		SELECT $1, id FROM objectives WHERE code = ANY($2)`, projectID, codes)
	return err
}

func replaceUnits(ctx context.Context, tx pgx.Tx, projectID int64, codes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM project_units WHERE project_id = $1`, projectID); err != nil {
		return err
	}
	if len(codes) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO project_units (project_id, unit_id)
		SELECT $1, id FROM org_units WHERE code = ANY($2)`, projectID, codes)
	return err
}

func replaceProjectSkills(ctx context.Context, tx pgx.Tx, projectID int64, skills []bot.SkillNeedInput) error {
	codes := make([]string, len(skills))
	levels := make([]int32, len(skills))
	counts := make([]int32, len(skills))
	for i, sk := range skills {
		codes[i], levels[i], counts[i] = sk.Code, int32(sk.MinLevel), int32(sk.Count)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM project_skills WHERE project_id = $1`, projectID); err != nil {
		return err
	}
	if len(skills) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO project_skills (project_id, skill_id, min_level, count)
		SELECT $1, s.id, v.level, v.count FROM unnest($2::text[], $3::int[], $4::int[]) AS v(code, level, count)
		JOIN skills s ON s.code = v.code`, projectID, codes, levels, counts)
	return err
}

// translateProjectErr turns the one CHECK violation that a valid edit can still meet into a
// user-facing conflict: the core checked the dates against the project it had loaded, and
// someone changed the other date in the meantime. Any other violation means the core let
// something invalid through, an internal error.
func translateProjectErr(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23514" || pgErr.ConstraintName != "projects_dates_ordered" {
		return err
	}
	e := bot.Errorf(bot.ECONFLICT, "project.error.dates")
	e.Err = err
	return e
}

// Queries of a project's card, sent in one batch.
const (
	projectQuery = `
SELECT p.id, p.title, p.description, p.coordinator_id, coalesce(e.display_name, ''),
       coalesce((SELECT i.external_id FROM employee_identities i WHERE i.employee_id = e.id AND i.transport = 'slack'), ''),
       p.team_size, p.budget_cents, p.funding_source, p.planned_start, p.planned_end, p.phase, p.created_at, p.updated_at
FROM projects p LEFT JOIN employees e ON e.id = p.coordinator_id
WHERE p.id = $1`
	projectObjectivesQuery = `
SELECT o.code, o.title FROM project_objectives po JOIN objectives o ON o.id = po.objective_id
WHERE po.project_id = $1 ORDER BY o.code`
	projectUnitsQuery = `
SELECT u.code, u.name, u.type_label FROM project_units pu JOIN org_units u ON u.id = pu.unit_id
WHERE pu.project_id = $1 ORDER BY u.code`
	projectSkillsQuery = `
SELECT s.code, s.name_it, s.name_en, s.category, ps.min_level, ps.count
FROM project_skills ps JOIN skills s ON s.id = ps.skill_id
WHERE ps.project_id = $1 ORDER BY s.code`
	projectAssessmentsQuery = `
SELECT a.version, coalesce(e.display_name, ''), a.created_at, r.question, r.score, r.justification
FROM robustness_assessments a
LEFT JOIN employees e ON e.id = a.assessor_id
LEFT JOIN robustness_answers r ON r.assessment_id = a.id
WHERE a.project_id = $1 ORDER BY a.version, r.question`
	projectIndicatorsQuery = `
SELECT i.id, i.kind, i.name, i.unit, i.baseline, i.target, i.direction, m.measured_on, m.value, m.note, m.final
FROM indicators i LEFT JOIN indicator_measurements m ON m.indicator_id = i.id
WHERE i.project_id = $1 ORDER BY i.id, m.measured_on`
	projectHistoryQuery = `
SELECT coalesce(h.from_phase, ''), h.to_phase, coalesce(e.display_name, ''), h.at, h.note, coalesce(h.override_reason, '')
FROM project_phase_history h LEFT JOIN employees e ON e.id = h.actor_id
WHERE h.project_id = $1 ORDER BY h.at, h.id`
)

// Project loads a project with everything its card shows, in one round trip.
func (s *Store) Project(ctx context.Context, projectID int64) (bot.Project, error) {
	return s.loadProject(ctx, s.pool, projectID)
}

func (s *Store) loadProject(ctx context.Context, q querier, id int64) (bot.Project, error) {
	b := &pgx.Batch{}
	for _, sql := range []string{projectQuery, projectObjectivesQuery, projectUnitsQuery, projectSkillsQuery,
		projectAssessmentsQuery, projectIndicatorsQuery, projectHistoryQuery} {
		b.Queue(sql, id)
	}
	br := q.SendBatch(ctx, b)
	defer br.Close()
	op := fmt.Sprintf("load project %d", id)

	var (
		p          bot.Project
		coordID    *int64
		cName, cID string
		phase      string
	)
	err := br.QueryRow().Scan(&p.ID, &p.Title, &p.Description, &coordID, &cName, &cID, &p.TeamSize, &p.BudgetCents,
		&p.FundingSource, &p.PlannedStart, &p.PlannedEnd, &phase, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return bot.Project{}, wrap(op, err)
	}
	p.Phase = bot.Phase(phase)
	if coordID != nil {
		p.Coordinator = &bot.PersonRef{ID: *coordID, Name: cName, SlackUserID: cID}
	}

	rows, _ := br.Query()
	if p.Objectives, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.ObjectiveRef, error) {
		var o bot.ObjectiveRef
		return o, r.Scan(&o.Code, &o.Title)
	}); err != nil {
		return bot.Project{}, wrap(op+": objectives", err)
	}
	rows, _ = br.Query()
	if p.Units, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.UnitRef, error) {
		var u bot.UnitRef
		return u, r.Scan(&u.Code, &u.Name, &u.Type)
	}); err != nil {
		return bot.Project{}, wrap(op+": units", err)
	}
	rows, _ = br.Query()
	if p.Skills, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.SkillNeed, error) {
		var n bot.SkillNeed
		return n, r.Scan(&n.Code, &n.NameIT, &n.NameEN, &n.Category, &n.MinLevel, &n.Count)
	}); err != nil {
		return bot.Project{}, wrap(op+": skills", err)
	}

	rows, _ = br.Query()
	for rows.Next() {
		var (
			a             bot.Assessment
			question, jus *string
			score         *int
		)
		if err := rows.Scan(&a.Version, &a.Assessor, &a.At, &question, &score, &jus); err != nil {
			rows.Close()
			return bot.Project{}, wrap(op+": assessments", err)
		}
		if n := len(p.Assessments); n == 0 || p.Assessments[n-1].Version != a.Version {
			p.Assessments = append(p.Assessments, a)
		}
		if question != nil {
			last := &p.Assessments[len(p.Assessments)-1]
			last.Answers = append(last.Answers, bot.AssessmentAnswer{Question: *question, Score: *score, Justification: *jus})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bot.Project{}, wrap(op+": assessments", err)
	}

	rows, _ = br.Query()
	for rows.Next() {
		var (
			ind   bot.Indicator
			on    *time.Time
			value *float64
			note  *string
			final *bool
		)
		if err := rows.Scan(&ind.ID, &ind.Kind, &ind.Name, &ind.Unit, &ind.Baseline, &ind.Target, &ind.Direction,
			&on, &value, &note, &final); err != nil {
			rows.Close()
			return bot.Project{}, wrap(op+": indicators", err)
		}
		if n := len(p.Indicators); n == 0 || p.Indicators[n-1].ID != ind.ID {
			p.Indicators = append(p.Indicators, ind)
		}
		if on != nil {
			last := &p.Indicators[len(p.Indicators)-1]
			last.Measurements = append(last.Measurements, bot.Measurement{On: *on, Value: *value, Note: *note, Final: *final})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return bot.Project{}, wrap(op+": indicators", err)
	}

	rows, _ = br.Query()
	if p.History, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.PhaseChange, error) {
		var (
			h        bot.PhaseChange
			from, to string
		)
		err := r.Scan(&from, &to, &h.Actor, &h.At, &h.Note, &h.Override)
		h.From, h.To = bot.Phase(from), bot.Phase(to)
		return h, err
	}); err != nil {
		return bot.Project{}, wrap(op+": history", err)
	}
	if err := br.Close(); err != nil {
		return bot.Project{}, wrap(op, err)
	}
	if rq, ok := q.(rowQuerier); ok {
		if p.Team, err = loadTeam(ctx, rq, id, false); err != nil {
			return bot.Project{}, wrap(op+": team", err)
		}
	}
	return p, nil
}

// Projects lists the projects matching f, newest first, with the total count for paging. A
// unit filter keeps the projects involving that unit or any unit below it.
func (s *Store) Projects(ctx context.Context, f bot.ProjectFilter) ([]bot.ProjectSummary, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	limit = min(limit, maxListLimit)
	offset := max(f.Offset, 0)
	const where = `
		WHERE ($1::bigint = 0 OR p.coordinator_id = $1)
		  AND ($2 = '' OR p.phase = $2)
		  AND ($3 = '' OR EXISTS (
		      WITH RECURSIVE down AS (
		          SELECT id FROM org_units WHERE code = $3
		          UNION
		          SELECT c.id FROM org_units c JOIN down ON c.parent_id = down.id
		      )
		      SELECT 1 FROM project_units pu JOIN down ON down.id = pu.unit_id WHERE pu.project_id = p.id))
		  AND ($4 = '' OR EXISTS (
		      SELECT 1 FROM project_objectives po JOIN objectives o ON o.id = po.objective_id
		      WHERE po.project_id = p.id AND o.code = $4))`
	args := []any{f.CoordinatorID, string(f.Phase), strings.TrimSpace(f.UnitCode), strings.TrimSpace(f.ObjectiveCode)}
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.title, p.phase, coalesce(e.display_name, ''), count(*) OVER ()
		FROM projects p LEFT JOIN employees e ON e.id = p.coordinator_id`+where+`
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $5 OFFSET $6`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, wrap("list projects", err)
	}
	total := 0
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.ProjectSummary, error) {
		var (
			ps    bot.ProjectSummary
			phase string
		)
		err := r.Scan(&ps.ID, &ps.Title, &phase, &ps.Coordinator, &total)
		ps.Phase = bot.Phase(phase)
		return ps, err
	})
	if err != nil {
		return nil, 0, wrap("list projects", err)
	}
	if len(out) == 0 && offset > 0 {
		// Past the last page: the window count has no row to ride on.
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM projects p`+where, args...).Scan(&total); err != nil {
			return nil, 0, wrap("count projects", err)
		}
	}
	return out, total, nil
}

// ObjectivesWithoutProjects lists, by code, the objectives that no project serves (a
// cancelled project serves none).
func (s *Store) ObjectivesWithoutProjects(ctx context.Context) ([]bot.ObjectiveRef, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT o.code, o.title FROM objectives o
		WHERE NOT EXISTS (
			SELECT 1 FROM project_objectives po JOIN projects p ON p.id = po.project_id
			WHERE po.objective_id = o.id AND p.phase <> 'annullato')
		ORDER BY o.code`)
	if err != nil {
		return nil, wrap("objectives without projects", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.ObjectiveRef, error) {
		var o bot.ObjectiveRef
		return o, r.Scan(&o.Code, &o.Title)
	})
	return out, wrap("objectives without projects", err)
}

// ManagesProject reports whether employeeID heads one of the project's units or a unit above
// one of them. A missing project is managed by nobody.
func (s *Store) ManagesProject(ctx context.Context, employeeID, projectID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `
		WITH RECURSIVE up AS (
			SELECT u.id, u.parent_id FROM project_units pu JOIN org_units u ON u.id = pu.unit_id WHERE pu.project_id = $2
			UNION
			SELECT p.id, p.parent_id FROM org_units p JOIN up ON p.id = up.parent_id
		)
		SELECT EXISTS (SELECT 1 FROM manager_units m JOIN up ON up.id = m.unit_id WHERE m.employee_id = $1)`,
		employeeID, projectID).Scan(&ok)
	return ok, wrap("manages project", err)
}

// ChangePhase moves the project from → to and records the transition. Whether the move is
// allowed is the caller's business; the store refuses only a project no longer in from. The
// surveys the new phase calls for are opened in the same transaction (openPhaseSurveys): the
// change and the invitations, with their messages, commit together or not at all.
func (s *Store) ChangePhase(ctx context.Context, projectID, actorID int64, from, to bot.Phase, note, override string, open bot.SurveyOpening) error {
	note, override = strings.TrimSpace(note), strings.TrimSpace(override)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE projects SET phase = $3, updated_at = now() WHERE id = $1 AND phase = $2`,
			projectID, string(from), string(to))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var now string
			if err := tx.QueryRow(ctx, `SELECT phase FROM projects WHERE id = $1`, projectID).Scan(&now); err != nil {
				return err
			}
			return bot.Errorf(bot.ECONFLICT, "project.error.phase_changed", "phase", now)
		}
		var reason *string
		if override != "" {
			reason = &override
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_phase_history (project_id, from_phase, to_phase, actor_id, note, override_reason)
			VALUES ($1, $2, $3, $4, $5, $6)`, projectID, string(from), string(to), nullID(actorID), note, reason); err != nil {
			return err
		}
		if to == bot.PhaseAnnullato {
			// Invitations to a cancelled project expire with it; the invitees are told.
			if err := s.cancelInvitationsTx(ctx, tx, projectID); err != nil {
				return err
			}
		}
		if err := s.openPhaseSurveys(ctx, tx, projectID, to, open); err != nil {
			return err
		}
		details := map[string]any{"from": from, "to": to}
		if override != "" {
			details["override"] = override
		}
		return audit(ctx, tx, actorID, "project.phase", projectSubject(projectID), details)
	})
	return wrap(fmt.Sprintf("change phase of project %d", projectID), err)
}

// AddAssessment stores a new version of the project's robustness check (the answers checked by
// bot.ValidateAssessment). The project row is locked first, so that two assessments at once
// get consecutive versions.
func (s *Store) AddAssessment(ctx context.Context, projectID, actorID int64, answers []bot.AssessmentAnswer) (int, error) {
	questions := make([]string, len(answers))
	scores := make([]int32, len(answers))
	notes := make([]string, len(answers))
	for i, a := range answers {
		questions[i], scores[i], notes[i] = a.Question, int32(a.Score), strings.TrimSpace(a.Justification)
	}
	var version int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM projects WHERE id = $1 FOR UPDATE`, projectID).Scan(&id); err != nil {
			return err
		}
		var assessmentID int64
		err := tx.QueryRow(ctx, `
			INSERT INTO robustness_assessments (project_id, version, assessor_id)
			SELECT $1, coalesce(max(version), 0) + 1, $2 FROM robustness_assessments WHERE project_id = $1
			RETURNING id, version`, projectID, nullID(actorID)).Scan(&assessmentID, &version)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO robustness_answers (assessment_id, question, score, justification)
			SELECT $1, q, s, j FROM unnest($2::text[], $3::int[], $4::text[]) AS v(q, s, j)`,
			assessmentID, questions, scores, notes); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "project.assessment", projectSubject(projectID), map[string]any{"version": version})
	})
	if err != nil {
		return 0, wrap(fmt.Sprintf("add assessment to project %d", projectID), err)
	}
	return version, nil
}

// AddIndicator adds an indicator (checked by bot.Indicator.Validate) to the project; its name
// must be new in the project, else an ECONFLICT *Error. The project row is locked and the name
// looked up before the insert, so that a refused indicator takes no number.
func (s *Store) AddIndicator(ctx context.Context, projectID int64, ind bot.Indicator) (bot.Indicator, error) {
	ind.Name, ind.Unit = strings.TrimSpace(ind.Name), strings.TrimSpace(ind.Unit)
	ind.Measurements = nil
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM indicators i WHERE i.project_id = p.id AND i.name = $2)
			FROM projects p WHERE p.id = $1 FOR UPDATE OF p`, projectID, ind.Name).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return bot.Errorf(bot.ECONFLICT, "project.error.duplicate_indicator", "name", ind.Name)
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO indicators (project_id, kind, name, unit, baseline, target, direction)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			projectID, ind.Kind, ind.Name, ind.Unit, ind.Baseline, ind.Target, ind.Direction).Scan(&ind.ID); err != nil {
			return err
		}
		return audit(ctx, tx, 0, "project.indicator", projectSubject(projectID),
			map[string]any{"indicator": ind.ID, "name": ind.Name})
	})
	if err != nil {
		return bot.Indicator{}, wrap(fmt.Sprintf("add indicator to project %d", projectID), err)
	}
	return ind, nil
}

// RecordMeasurement records an indicator's value on a date (checked by bot.Measurement.Validate),
// replacing what was recorded for that date, its final mark included. A final value (m.Final)
// takes the mark from the indicator's previous final value, if on another date. The indicator
// must belong to the project (else ErrNotFound).
func (s *Store) RecordMeasurement(ctx context.Context, projectID, indicatorID, actorID int64, m bot.Measurement) error {
	note := strings.TrimSpace(m.Note)
	on := dateOf(m.On)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if m.Final {
			// The indicator row locked, so that two final values recorded at once take turns;
			// the previous mark cleared before the insert, since the unique index allows one
			// final value per indicator.
			if _, err := tx.Exec(ctx, `SELECT 1 FROM indicators WHERE id = $2 AND project_id = $1 FOR UPDATE`,
				projectID, indicatorID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE indicator_measurements SET final = false
				WHERE indicator_id = $1 AND final AND measured_on <> $2`, indicatorID, on); err != nil {
				return err
			}
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO indicator_measurements (indicator_id, measured_on, value, recorded_by, note, final)
			SELECT i.id, $3, $4, $5, $6, $7 FROM indicators i WHERE i.id = $2 AND i.project_id = $1
			ON CONFLICT (indicator_id, measured_on) DO UPDATE
				SET value = EXCLUDED.value, note = EXCLUDED.note, final = EXCLUDED.final, recorded_by = EXCLUDED.recorded_by,
					recorded_at = now()
			RETURNING id`, projectID, indicatorID, on, m.Value, nullID(actorID), note, m.Final).Scan(&id)
		if err != nil {
			return err
		}
		details := map[string]any{"indicator": indicatorID, "on": on.Format(time.DateOnly), "value": m.Value}
		if m.Final {
			details["final"] = true
		}
		return audit(ctx, tx, actorID, "project.measurement", projectSubject(projectID), details)
	})
	return wrap(fmt.Sprintf("record measurement of indicator %d", indicatorID), err)
}
