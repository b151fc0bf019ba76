package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// Templates the triggers send (their shipped defaults are in internal/survey/defaults; HR may
// import new versions under the same keys).
const (
	// MeetingSurveyTemplate is sent after a "sì" to "did you meet?".
	MeetingSurveyTemplate = "incontro"
	// PulseSurveyTemplate is the monthly pulse to every active employee.
	PulseSurveyTemplate = "polso"
)

// MaxReminders is how many reminders an invitation gets at most (the CHECK on
// survey_invitations.reminders): then silence.
const MaxReminders = 2

// MeetingSurveySubject is the subject of a programme's post-meeting survey of month
// ("2026-05"): one instance per programme and month, never per group or round (see
// bot.MeetSurvey).
func MeetingSurveySubject(programmeID int64, month string) string {
	return fmt.Sprintf("meeting:%d:%s", programmeID, month)
}

// PulseSurveySubject is the subject of the pulse of month ("2026-05").
func PulseSurveySubject(month string) string { return "pulse:" + month }

// openMeetingSurveyTx invites employeeID to the programme's post-meeting survey of sv.Month, in
// tx (the transaction of their "sì"). It returns the invitation when it was made now, and nil
// when they were invited before this month (another round's "sì"), when the month's survey is
// closed, or when the store has no surveys. No message is enqueued: the reply to the "sì"
// offers the survey, and the reminders follow.
func (s *Store) openMeetingSurveyTx(ctx context.Context, tx pgx.Tx, programmeID, employeeID int64, sv bot.MeetSurvey) (*bot.SurveyInvite, error) {
	if s.surveys == nil || sv.Month == "" {
		return nil, nil
	}
	var name string
	if err := tx.QueryRow(ctx, `SELECT name FROM meeting_programmes WHERE id = $1`, programmeID).Scan(&name); err != nil {
		return nil, fmt.Errorf("programme %d: %w", programmeID, err)
	}
	var invited *bot.SurveyInvite
	// The notice function is called once per person invited now: it keeps the invitation for
	// the reply and returns a notice with no channel, which OpenTx does not enqueue.
	keep := func(inv bot.SurveyInvite) bot.Notice {
		invited = &inv
		return bot.Notice{}
	}
	_, err := s.surveys.OpenTx(ctx, tx, InstanceSpec{
		Template: MeetingSurveyTemplate,
		Subject:  MeetingSurveySubject(programmeID, sv.Month),
		Audience: []int64{employeeID},
		ClosesAt: sv.ClosesAt,
		About:    bot.SurveyAbout{Kind: bot.AboutProgramme, ID: programmeID, Name: name},
	}, keep)
	if err != nil {
		return nil, err
	}
	return invited, nil
}

// OpenPulseTx opens the pulse of month ("2026-05") in tx, the transaction of the schedule's
// firing, and invites every active employee whose data is not erased, each once, enqueueing
// notice's message to each person invited now. A firing run twice (a retry, two replicas)
// invites and messages nobody twice. It returns how many were invited now.
func (s *SurveyStore) OpenPulseTx(ctx context.Context, tx pgx.Tx, month string, closesAt time.Time, notice bot.SurveyNoticeFunc) (int, error) {
	o, err := s.openPulseTx(ctx, tx, month, closesAt, notice)
	return o.Invited, err
}

// openPulseTx is OpenPulseTx with the whole outcome (SendPulse reports it).
func (s *SurveyStore) openPulseTx(ctx context.Context, tx pgx.Tx, month string, closesAt time.Time, notice bot.SurveyNoticeFunc) (Opened, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM employees WHERE active AND erased_at IS NULL ORDER BY id`)
	if err != nil {
		return Opened{}, wrap("pulse audience", err)
	}
	audience, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return Opened{}, wrap("pulse audience", err)
	}
	return s.OpenTx(ctx, tx, InstanceSpec{
		Template: PulseSurveyTemplate,
		Subject:  PulseSurveySubject(month),
		Audience: audience,
		ClosesAt: closesAt,
		About:    bot.SurveyAbout{Kind: bot.AboutPulse, Name: month},
	}, notice)
}

// remindBatch is how many invitations RemindTx reminds per statement.
const remindBatch = 1000

// RemindTx sends the reminders due on today (a date in the council's zone), in tx: to each
// person invited to an open instance who has not answered, has had fewer than MaxReminders
// reminders, and was invited at least (reminders+1)·every days ago. Each one's count goes up
// and notice's message (SurveyInvite.Reminder = the new count, which keys it) is enqueued in
// the same transaction, so a reminder is counted if and only if it is sent, and a firing run
// twice sends none twice. At most limit are sent (the rest wait for the next firing); it
// returns how many were.
func (s *SurveyStore) RemindTx(ctx context.Context, tx pgx.Tx, today time.Time, every, limit int, notice bot.SurveyNoticeFunc) (int, error) {
	if every < 1 {
		return 0, fmt.Errorf("remind: every %d days: want at least 1", every)
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	instances := map[int64]*bot.SurveyInvite{} // per instance, what its messages say
	total := 0
	for total < limit {
		// Two maintenance firings may overlap (a slow one and the next, on two replicas): the
		// invitations one is reminding are locked, and the other skips them rather than waiting
		// and reminding them again. The conditions are repeated in the UPDATE's own WHERE,
		// which PostgreSQL re-checks on a row changed meanwhile (a submission just committed).
		rows, err := tx.Query(ctx, `
WITH due AS (
    SELECT v.instance_id, v.employee_id
    FROM survey_invitations v
    JOIN survey_instances i ON i.id = v.instance_id
    JOIN employees e ON e.id = v.employee_id
    WHERE i.closed_on IS NULL AND coalesce(i.closes_at, 'infinity') > now()
      AND NOT v.answered AND v.reminders < $4
      AND v.invited_on + (v.reminders + 1) * $1::int <= $2::date
      AND e.active AND e.erased_at IS NULL
    ORDER BY v.instance_id, v.employee_id
    LIMIT $3
    FOR UPDATE OF v SKIP LOCKED
)
UPDATE survey_invitations v SET reminders = v.reminders + 1
FROM due
WHERE v.instance_id = due.instance_id AND v.employee_id = due.employee_id
  AND NOT v.answered AND v.reminders < $4 AND v.invited_on + (v.reminders + 1) * $1::int <= $2::date
RETURNING v.instance_id, v.employee_id, v.reminders`, every, day, min(remindBatch, limit-total), MaxReminders)
		if err != nil {
			return total, wrap("remind", err)
		}
		type due struct {
			instance, employee int64
			reminder           int
		}
		batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (due, error) {
			var d due
			return d, r.Scan(&d.instance, &d.employee, &d.reminder)
		})
		if err != nil {
			return total, wrap("remind", err)
		}
		if len(batch) == 0 {
			break
		}
		ids := make([]int64, len(batch))
		for i, d := range batch {
			ids[i] = d.employee
		}
		ps, err := people(ctx, tx, ids)
		if err != nil {
			return total, wrap("remind: people", err)
		}
		byID := make(map[int64]bot.PersonRef, len(ps))
		for _, p := range ps {
			byID[p.ID] = p
		}
		notices := make([]bot.Notice, 0, len(batch))
		for _, d := range batch {
			inv, ok := instances[d.instance]
			if !ok {
				if inv, err = instanceInvite(ctx, tx, d.instance); err != nil {
					return total, wrap("remind", err)
				}
				instances[d.instance] = inv
			}
			one := *inv
			one.Person, one.Reminder = byID[d.employee], d.reminder
			if n := notice(one); n.Channel != "" {
				notices = append(notices, n)
			}
		}
		if len(notices) > 0 {
			if s.outbox == nil {
				return total, ErrNoOutbox
			}
			if err := s.outbox.PostTx(ctx, tx, notices); err != nil {
				return total, wrap("remind", err)
			}
		}
		total += len(batch)
		if len(batch) < remindBatch {
			break
		}
	}
	return total, nil
}

// instanceInvite reads what a message about an instance says: its template's title and
// number of questions, what it is about, when it closes.
func instanceInvite(ctx context.Context, tx pgx.Tx, id int64) (*bot.SurveyInvite, error) {
	var (
		versionID int64
		about     []byte
		closes    *time.Time
	)
	if err := tx.QueryRow(ctx, `SELECT version_id, about, closes_at FROM survey_instances WHERE id = $1`, id).
		Scan(&versionID, &about, &closes); err != nil {
		return nil, fmt.Errorf("instance %d: %w", id, err)
	}
	t, err := loadVersion(ctx, tx, versionID)
	if err != nil {
		return nil, fmt.Errorf("instance %d: %w", id, err)
	}
	inv := &bot.SurveyInvite{InstanceID: id, Title: t.Title, Questions: len(t.Questions)}
	if err := json.Unmarshal(about, &inv.About); err != nil {
		return nil, fmt.Errorf("instance %d: about: %w", id, err)
	}
	if closes != nil {
		inv.ClosesAt = *closes
	}
	return inv, nil
}

// CloseDue closes every open instance whose closing time has passed by now (each in a
// transaction of its own, as Close does: see it for what happens to pending answers). It
// returns how many it closed; an instance closed meanwhile by someone else is not counted.
func (s *SurveyStore) CloseDue(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM survey_instances WHERE closed_on IS NULL AND closes_at <= $1 ORDER BY id`, now)
	if err != nil {
		return 0, wrap("instances due to close", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, wrap("instances due to close", err)
	}
	closed := 0
	for _, id := range ids {
		res, err := s.Close(ctx, id)
		if err != nil {
			return closed, err
		}
		if !res.AlreadyClosed {
			closed++
		}
	}
	return closed, nil
}

// ProgrammeFeedback aggregates a programme's post-meeting surveys over all its months, with
// the k rule: a pair's or a trio's answers are never shown on their own, only among at least k
// answers of the whole programme. Invited and Answered are summed over the months; Closed
// is true when every month's survey has closed. With no survey yet, InstanceID is 0.
func (s *Store) ProgrammeFeedback(ctx context.Context, programmeID int64) (bot.EvaluationSurvey, error) {
	var out bot.EvaluationSurvey
	if s.surveys == nil {
		return out, nil
	}
	op := fmt.Sprintf("feedback of programme %d", programmeID)
	rows, err := s.pool.Query(ctx, `SELECT i.id,
  (SELECT count(*) FROM survey_invitations v WHERE v.instance_id = i.id),
  (SELECT count(*) FROM survey_invitations v WHERE v.instance_id = i.id AND v.answered),
  i.closed_on IS NOT NULL OR coalesce(i.closes_at <= now(), false)
FROM survey_instances i WHERE i.subject LIKE $1 ORDER BY i.id`, MeetingSurveySubject(programmeID, "%"))
	if err != nil {
		return out, wrap(op, err)
	}
	var ids []int64
	out.Closed = true
	for rows.Next() {
		var (
			id               int64
			invited, answerd int
			closed           bool
		)
		if err := rows.Scan(&id, &invited, &answerd, &closed); err != nil {
			rows.Close()
			return out, wrap(op, err)
		}
		ids = append(ids, id)
		out.Invited += invited
		out.Answered += answerd
		out.Closed = out.Closed && closed
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, wrap(op, err)
	}
	if len(ids) == 0 {
		return bot.EvaluationSurvey{}, nil
	}
	out.InstanceID = ids[len(ids)-1]
	if out.Report, err = s.surveys.Aggregate(ctx, AggregateQuery{Instances: ids}); err != nil {
		return out, wrap(op, err)
	}
	return out, nil
}
