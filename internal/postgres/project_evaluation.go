package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The evaluation of projects: the surveys a phase change opens, the external evaluators, and the
// counts and aggregates the project card shows.

// The internal audience of a project's surveys: its team's members and its coordinator (who
// leads the work and evaluates it from inside).
const projectTeamAudienceQuery = `
SELECT employee_id FROM team_members WHERE project_id = $1
UNION
SELECT coordinator_id FROM projects WHERE id = $1 AND coordinator_id IS NOT NULL`

// The external audience: the evaluators, less anyone who has since joined the team or become its
// coordinator (an evaluator judges from outside; the core refuses insiders, this keeps it so).
const projectEvaluatorAudienceQuery = `
SELECT v.employee_id FROM project_evaluators v JOIN projects p ON p.id = v.project_id
WHERE v.project_id = $1
  AND v.employee_id IS DISTINCT FROM p.coordinator_id
  AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.project_id = v.project_id AND m.employee_id = v.employee_id)`

// openPhaseSurveys opens, in tx, the surveys that entering phase calls for: monitoraggio the
// milestone survey to the team, concluso the internal close survey to the team and the external
// one to the evaluators. The instance of a subject is created once and each person invited once
// (SurveyStore.OpenTx), so a phase entered again (after a suspension) invites only people who
// were not invited before — newcomers to the team — and messages nobody twice. Without a survey
// store (a store built for tests of other features) nothing is opened.
func (s *Store) openPhaseSurveys(ctx context.Context, tx pgx.Tx, projectID int64, phase bot.Phase, open bot.SurveyOpening) error {
	if s.surveys == nil {
		return nil
	}
	type want struct{ template, kind, audience string }
	var wants []want
	switch phase {
	case bot.PhaseMonitoraggio:
		wants = []want{{bot.TemplateMilestone, bot.SurveyMilestone, projectTeamAudienceQuery}}
	case bot.PhaseConcluso:
		wants = []want{
			{bot.TemplateCloseInternal, bot.SurveyCloseInternal, projectTeamAudienceQuery},
			{bot.TemplateCloseExternal, bot.SurveyCloseExternal, projectEvaluatorAudienceQuery},
		}
	default:
		return nil
	}
	var title string
	if err := tx.QueryRow(ctx, `SELECT title FROM projects WHERE id = $1`, projectID).Scan(&title); err != nil {
		return err
	}
	for _, w := range wants {
		rows, _ := tx.Query(ctx, w.audience, projectID)
		audience, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("audience of the %s survey: %w", w.kind, err)
		}
		spec := projectSurveySpec(projectID, title, w.template, w.kind, audience, open)
		if _, err := s.surveys.OpenTx(ctx, tx, spec, open.Notice); err != nil {
			return err
		}
	}
	return nil
}

func projectSurveySpec(projectID int64, title, template, kind string, audience []int64, open bot.SurveyOpening) InstanceSpec {
	return InstanceSpec{
		Template: template,
		Subject:  bot.ProjectSurveySubject(projectID, kind),
		Audience: audience,
		ClosesAt: open.ClosesAt,
		About:    bot.SurveyAbout{Kind: bot.AboutProject, ID: projectID, Name: title},
	}
}

// evaluatorsQuery lists a project's evaluators with what a message to them needs.
const evaluatorsQuery = `
SELECT v.id, v.invited_at, ` + personColumns + `
FROM project_evaluators v JOIN employees e ON e.id = v.employee_id
WHERE v.project_id = $1 AND ($2::bigint[] IS NULL OR v.id = ANY($2))
ORDER BY v.invited_at, v.id`

func scanEvaluator(r pgx.CollectableRow) (bot.Evaluator, error) {
	var ev bot.Evaluator
	p := &ev.Person
	return ev, r.Scan(&ev.ID, &ev.InvitedAt, &p.ID, &p.Name, &p.SlackUserID, &p.Handle, &p.Locale)
}

func loadEvaluators(ctx context.Context, q rowQuerier, projectID int64, ids []int64) ([]bot.Evaluator, error) {
	rows, err := q.Query(ctx, evaluatorsQuery, projectID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanEvaluator)
}

// Evaluators lists a project's external evaluators, in the order they were asked.
func (s *Store) Evaluators(ctx context.Context, projectID int64) ([]bot.Evaluator, error) {
	evs, err := loadEvaluators(ctx, s.pool, projectID, nil)
	return evs, wrap(fmt.Sprintf("evaluators of project %d", projectID), err)
}

// lockProjectPhase locks the project row and returns its phase; ErrNotFound when there is none.
func lockProjectPhase(ctx context.Context, tx pgx.Tx, projectID int64) (bot.Phase, string, error) {
	var phase, title string
	err := tx.QueryRow(ctx, `SELECT phase, title FROM projects WHERE id = $1 FOR UPDATE`, projectID).Scan(&phase, &title)
	return bot.Phase(phase), title, err
}

// AddEvaluators makes people evaluators of the project, in one transaction on the locked
// project row: the rows, the invitation to the external survey when the project is concluso
// (its instance opened if need be), the audit entry and the messages commit together. The
// core has checked who may be an evaluator and how many there may be.
func (s *Store) AddEvaluators(ctx context.Context, projectID, actorID int64, people []int64, notices bot.EvaluatorNoticeFunc,
	open bot.SurveyOpening) (bot.EvaluatorsAdded, error) {
	var out bot.EvaluatorsAdded
	if people == nil {
		people = []int64{}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		phase, title, err := lockProjectPhase(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if phase == bot.PhaseAnnullato {
			return bot.Errorf(bot.ECONFLICT, "evaluation.error.cancelled", "id", projectID)
		}
		rows, _ := tx.Query(ctx, `INSERT INTO project_evaluators (project_id, employee_id, invited_by)
			SELECT $1, e.id, $3 FROM employees e WHERE e.id = ANY($2) AND e.active AND e.erased_at IS NULL
			ON CONFLICT (project_id, employee_id) DO NOTHING RETURNING id`, projectID, people, nullID(actorID))
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if out.Added, err = loadEvaluators(ctx, tx, projectID, ids); err != nil {
			return err
		}
		added := make([]int64, len(out.Added))
		for i, ev := range out.Added {
			added[i] = ev.Person.ID
		}
		surveyOpen := false
		if phase == bot.PhaseConcluso && s.surveys != nil {
			spec := projectSurveySpec(projectID, title, bot.TemplateCloseExternal, bot.SurveyCloseExternal, added, open)
			o, err := s.surveys.OpenTx(ctx, tx, spec, open.Notice)
			if err != nil {
				return err
			}
			out.Invited, out.SurveyClosed, surveyOpen = o.Invited, o.Closed, !o.Closed
		}
		if err := audit(ctx, tx, actorID, "project.evaluators.add", projectSubject(projectID),
			map[string]any{"evaluators": added}); err != nil {
			return err
		}
		if notices == nil {
			return nil
		}
		return s.enqueue(ctx, tx, notices(out.Added, surveyOpen))
	})
	if err != nil {
		return bot.EvaluatorsAdded{}, wrap(fmt.Sprintf("add evaluators to project %d", projectID), err)
	}
	return out, nil
}

// RemoveEvaluator removes an evaluator before the close, with the message telling them.
func (s *Store) RemoveEvaluator(ctx context.Context, projectID, actorID, employeeID int64, notices bot.EvaluatorNoticeFunc) (bot.Evaluator, error) {
	var ev bot.Evaluator
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		phase, _, err := lockProjectPhase(ctx, tx, projectID)
		if err != nil {
			return err
		}
		if phase == bot.PhaseConcluso || phase == bot.PhaseAnnullato {
			// At the close the evaluators were invited to the survey: removing one now would
			// change nothing they were asked, and their invitation stays apart from this row.
			return bot.Errorf(bot.ECONFLICT, "evaluation.error.remove_closed", "id", projectID, "phase", string(phase))
		}
		var id int64
		err = tx.QueryRow(ctx, `SELECT id FROM project_evaluators WHERE project_id = $1 AND employee_id = $2`, projectID, employeeID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return bot.Errorf(bot.ENOTFOUND, "evaluation.error.not_evaluator", "id", projectID)
		}
		if err != nil {
			return err
		}
		evs, err := loadEvaluators(ctx, tx, projectID, []int64{id})
		if err != nil || len(evs) != 1 {
			return errors.Join(err, fmt.Errorf("evaluator %d vanished under lock", id))
		}
		ev = evs[0]
		if _, err := tx.Exec(ctx, `DELETE FROM project_evaluators WHERE id = $1`, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "project.evaluators.remove", projectSubject(projectID),
			map[string]any{"evaluator": employeeID}); err != nil {
			return err
		}
		if notices == nil {
			return nil
		}
		return s.enqueue(ctx, tx, notices([]bot.Evaluator{ev}, false))
	})
	if err != nil {
		return bot.Evaluator{}, wrap(fmt.Sprintf("remove evaluator %d from project %d", employeeID, projectID), err)
	}
	return ev, nil
}

// ProjectEvaluation loads, for the project card, the number of evaluators and each of the
// project's surveys that was opened: its counts of invitations and answers (never who) and
// the aggregate of its released answers with the k rule (SurveyStore.Aggregate).
func (s *Store) ProjectEvaluation(ctx context.Context, projectID int64) (bot.ProjectEvaluation, error) {
	op := fmt.Sprintf("evaluation of project %d", projectID)
	ev := bot.ProjectEvaluation{K: survey.DefaultMinRespondents}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM project_evaluators WHERE project_id = $1`, projectID).Scan(&ev.Evaluators); err != nil {
		return ev, wrap(op, err)
	}
	if s.surveys == nil {
		return ev, nil
	}
	ev.K = s.surveys.K()
	parts := map[string]*bot.EvaluationSurvey{
		bot.ProjectSurveySubject(projectID, bot.SurveyMilestone):     &ev.Milestone,
		bot.ProjectSurveySubject(projectID, bot.SurveyCloseInternal): &ev.Internal,
		bot.ProjectSurveySubject(projectID, bot.SurveyCloseExternal): &ev.External,
	}
	subjects := make([]string, 0, len(parts))
	for subject := range parts {
		subjects = append(subjects, subject)
	}
	rows, err := s.pool.Query(ctx, `SELECT i.subject, i.id,
  (SELECT count(*) FROM survey_invitations v WHERE v.instance_id = i.id),
  (SELECT count(*) FROM survey_invitations v WHERE v.instance_id = i.id AND v.answered),
  i.closed_on IS NOT NULL OR coalesce(i.closes_at <= now(), false)
FROM survey_instances i WHERE i.subject = ANY($1)`, subjects)
	if err != nil {
		return ev, wrap(op, err)
	}
	for rows.Next() {
		var (
			subject string
			part    bot.EvaluationSurvey
		)
		if err := rows.Scan(&subject, &part.InstanceID, &part.Invited, &part.Answered, &part.Closed); err != nil {
			rows.Close()
			return ev, wrap(op, err)
		}
		*parts[subject] = part
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ev, wrap(op, err)
	}
	for _, part := range parts {
		if !part.Opened() {
			continue
		}
		if part.Report, err = s.surveys.Aggregate(ctx, AggregateQuery{Instances: []int64{part.InstanceID}}); err != nil {
			return ev, wrap(op, err)
		}
	}
	return ev, nil
}
