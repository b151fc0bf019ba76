package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// SendPulse sends month's pulse now, on an admin's request, exactly as its schedule would
// (OpenPulseTx): asked again, or after the schedule, it invites only the people who were not
// invited yet. Recorded in the audit log.
func (s *SurveyStore) SendPulse(ctx context.Context, month string, closesAt time.Time, actorID int64, notice bot.SurveyNoticeFunc) (bot.PulseSent, error) {
	var out bot.PulseSent
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		o, err := s.openPulseTx(ctx, tx, month, closesAt, notice)
		if err != nil {
			return err
		}
		out = bot.PulseSent{InstanceID: o.ID, Invited: o.Invited, Already: !o.Created, Closed: o.Closed, ClosesAt: o.ClosesAt}
		if out.Closed {
			return nil // nothing was sent: nothing to record
		}
		return audit(ctx, tx, actorID, "survey.pulse", PulseSurveySubject(month), map[string]any{"invited": out.Invited})
	})
	return out, wrap("send the pulse of "+month, err)
}

// OpenSurveys lists the instances not closed yet, newest first, with their counts: how many
// invited, answered, waiting for their batch and released. Counts only: never who.
func (s *SurveyStore) OpenSurveys(ctx context.Context) ([]bot.SurveyInstanceInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT i.id, i.subject, v.title_it, v.title_en, i.about, i.closes_at, i.min_respondents,
  (SELECT count(*) FROM survey_invitations WHERE instance_id = i.id),
  (SELECT count(*) FROM survey_invitations WHERE instance_id = i.id AND answered),
  (SELECT count(*) FROM survey_pending WHERE instance_id = i.id),
  (SELECT count(DISTINCT response) FROM survey_answers WHERE instance_id = i.id)
FROM survey_instances i JOIN survey_versions v ON v.id = i.version_id
WHERE i.closed_on IS NULL ORDER BY i.id DESC LIMIT 100`)
	if err != nil {
		return nil, wrap("list open surveys", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.SurveyInstanceInfo, error) {
		var (
			x      bot.SurveyInstanceInfo
			about  []byte
			closes *time.Time
		)
		if err := r.Scan(&x.ID, &x.Subject, &x.Title.IT, &x.Title.EN, &about, &closes, &x.K,
			&x.Invited, &x.Answered, &x.Pending, &x.Released); err != nil {
			return x, err
		}
		if closes != nil {
			x.ClosesAt = *closes
		}
		return x, json.Unmarshal(about, &x.About)
	})
	return list, wrap("list open surveys", err)
}

// CloseSurvey closes an instance now, on an admin's request (Close: at least k answers still
// sealed are released, fewer are discarded unread), recorded in the audit log with the counts.
func (s *SurveyStore) CloseSurvey(ctx context.Context, instanceID, actorID int64) (bot.SurveyClosed, error) {
	var subject string
	err := s.pool.QueryRow(ctx, `SELECT subject FROM survey_instances WHERE id = $1`, instanceID).Scan(&subject)
	if errors.Is(err, pgx.ErrNoRows) {
		return bot.SurveyClosed{}, bot.ErrNotFound
	}
	if err != nil {
		return bot.SurveyClosed{}, wrap("close survey", err)
	}
	res, err := s.Close(ctx, instanceID)
	if err != nil {
		return bot.SurveyClosed{}, err
	}
	out := bot.SurveyClosed{Released: res.Released, Discarded: res.Discarded, AlreadyClosed: res.AlreadyClosed}
	if !res.AlreadyClosed {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			return audit(ctx, tx, actorID, "survey.close", subject, map[string]any{"released": res.Released, "discarded": res.Discarded})
		})
	}
	return out, wrap(fmt.Sprintf("audit the close of survey %d", instanceID), err)
}
