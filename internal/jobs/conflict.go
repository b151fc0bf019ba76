package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
)

// ConflictNoticesScheduleName names the schedule in scheduled_runs and logs.
const ConflictNoticesScheduleName = "conflict-notices"

// DefaultConflictNoticesCron checks every weekday morning: a pulse closes on whatever day its
// SURVEY_OPEN_DAYS end, and its department's dirigente hears about a worsening the next
// working morning. Each department is told once per pulse month, however often this runs.
const DefaultConflictNoticesCron = "15 9 * * 1-5"

// DefaultConflictMargin is SURVEY_CONFLICT_MARGIN's default, in index points (0–100).
const DefaultConflictMargin = 10

// ConflictNoticeSource finds the departments whose conflict index worsened and records the
// notices sent (internal/postgres.ConflictNotices).
type ConflictNoticeSource interface {
	DueConflictNoticesTx(ctx context.Context, tx pgx.Tx, day time.Time, margin float64) ([]bot.ConflictWorsening, error)
	ClaimConflictNoticeTx(ctx context.Context, tx pgx.Tx, w bot.ConflictWorsening, recipients int) (bool, error)
}

// NoticePoster enqueues notices in a transaction (the Outbox: durable post jobs, their texts
// kept where erasure reaches them).
type NoticePoster interface {
	PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error
}

// ConflictNoticesSchedule tells a department's dirigenti, privately, when its conflict index
// in the latest closed pulse is worse than two months before by at least margin points. The
// notice is claimed per department and month in conflict_notices, and its messages enqueued,
// in the firing's transaction: two replicas, a retried firing or the next day's check send
// it once. A department whose dirigenti cannot be reached is not claimed, so that it is told
// once someone heading it can be.
func ConflictNoticesSchedule(cron string, src ConflictNoticeSource, render func(bot.ConflictWorsening) []bot.Notice,
	out NoticePoster, margin float64) Schedule {
	if margin <= 0 {
		margin = DefaultConflictMargin
	}
	return Schedule{
		Name: ConflictNoticesScheduleName,
		Cron: cron,
		Run: func(ctx context.Context, f Firing) error {
			due, err := src.DueConflictNoticesTx(ctx, f.Tx, f.FireAt, margin)
			if err != nil {
				return err
			}
			for _, w := range due {
				notices := render(w)
				if len(notices) == 0 {
					continue
				}
				claimed, err := src.ClaimConflictNoticeTx(ctx, f.Tx, w, len(notices))
				if err != nil {
					return err
				}
				if !claimed {
					continue
				}
				if err := out.PostTx(ctx, f.Tx, notices); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
