package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The invitee's side of a survey: what is waiting for them, and the instance they answer. It
// reads survey_invitations (who was invited, who has answered) and survey_instances; never the
// answers, which are nobody's to read back (see surveys.go).

var _ bot.FeedbackStore = (*SurveyStore)(nil)

// MySurveys lists employee's open instances they have not answered, soonest to close first, and
// counts the instances opened since the given day that they have answered.
func (s *SurveyStore) MySurveys(ctx context.Context, employeeID int64, since time.Time) (bot.MySurveys, error) {
	var out bot.MySurveys
	// An instance past its closing time is closed even before the job closes it.
	rows, err := s.pool.Query(ctx, `SELECT i.id, v.title_it, v.title_en, i.about, i.closes_at,
  (SELECT count(*) FROM survey_questions q WHERE q.version_id = i.version_id)
FROM survey_invitations s
JOIN survey_instances i ON i.id = s.instance_id
JOIN survey_versions v ON v.id = i.version_id
WHERE s.employee_id = $1 AND NOT s.answered AND i.closed_on IS NULL AND coalesce(i.closes_at > now(), true)
ORDER BY i.closes_at NULLS LAST, i.id`, employeeID)
	if err != nil {
		return out, wrap("my surveys", err)
	}
	out.Pending, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.PendingSurvey, error) {
		var (
			p      bot.PendingSurvey
			about  []byte
			closes *time.Time
		)
		if err := r.Scan(&p.InstanceID, &p.Title.IT, &p.Title.EN, &about, &closes, &p.Questions); err != nil {
			return p, err
		}
		if closes != nil {
			p.ClosesAt = *closes
		}
		return p, unmarshalAbout(about, &p.About)
	})
	if err != nil {
		return out, wrap("my surveys", err)
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM survey_invitations s JOIN survey_instances i ON i.id = s.instance_id
WHERE s.employee_id = $1 AND s.answered AND i.opened_on >= $2::date`, employeeID, since).Scan(&out.AnsweredRecently)
	return out, wrap("my surveys answered", err)
}

// SurveyToAnswer loads instance id as employee, its invitee, sees it: the template version it
// asks, what it is about, its k, whether they have answered and whether it is closed (closed by
// hand or by the job, or past closes_at). survey.ErrNotInvited when they are not invited or it
// does not exist.
func (s *SurveyStore) SurveyToAnswer(ctx context.Context, instanceID, employeeID int64) (bot.SurveyToAnswer, error) {
	out := bot.SurveyToAnswer{InstanceID: instanceID}
	var (
		versionID        int64
		about            []byte
		closes, closedAt *time.Time
	)
	// The day it closed: closes_at when that came first (a job closes late), else the day it
	// was closed.
	err := s.pool.QueryRow(ctx, `SELECT i.version_id, i.about, i.closes_at, i.min_respondents, v.answered,
  i.closed_on IS NOT NULL OR coalesce(i.closes_at <= now(), false),
  CASE WHEN i.closes_at <= now() AND (i.closed_on IS NULL OR i.closes_at::date <= i.closed_on) THEN i.closes_at
       ELSE i.closed_on::timestamptz END
FROM survey_invitations v JOIN survey_instances i ON i.id = v.instance_id
WHERE v.instance_id = $1 AND v.employee_id = $2`, instanceID, employeeID).
		Scan(&versionID, &about, &closes, &out.K, &out.Answered, &out.Closed, &closedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return out, survey.ErrNotInvited
	}
	if err != nil {
		return out, wrap("survey to answer", err)
	}
	if closes != nil {
		out.ClosesAt = *closes
	}
	if closedAt != nil {
		out.ClosedAt = *closedAt
	}
	if err := unmarshalAbout(about, &out.About); err != nil {
		return out, wrap("survey to answer", err)
	}
	out.Template, err = loadVersion(ctx, s.pool, versionID)
	return out, wrap("survey to answer", err)
}

func unmarshalAbout(data []byte, a *bot.SurveyAbout) error {
	if len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, a); err != nil {
		return fmt.Errorf("survey about: %w", err)
	}
	return nil
}
